// The root_group of k6's summary: groups and their checks, rebuilt from samples. Checks samples
// carry tags `check` (name) and `group` (path, '' for the root, '::login::form' when nested).
import { createHash } from 'node:crypto';

export const GROUP_SEPARATOR = '::';

export interface CheckSummary {
  name: string;
  path: string;
  id: string;
  passes: number;
  fails: number;
}

export interface GroupSummary {
  name: string;
  path: string;
  id: string;
  groups: GroupSummary[];
  checks: CheckSummary[];
}

class CheckCounts {
  passes = 0;
  fails = 0;
}

class GroupNode {
  readonly children = new Map<string, GroupNode>();
  readonly checks = new Map<string, CheckCounts>();
  constructor(
    readonly name: string,
    readonly path: string,
  ) {}
}

/** k6 ids groups and checks by the MD5 of their path. */
function pathId(path: string): string {
  return createHash('md5').update(path).digest('hex');
}

export class ChecksTree {
  private readonly root = new GroupNode('', '');
  /** Flat index by path so the hot path does one map lookup per sample. */
  private readonly byPath = new Map<string, GroupNode>([['', this.root]]);

  /** As k6 v1, whose tree comes from the samples' tags: a check without its `group` tag (systemTags leaves it out) is in no group, so not listed. */
  recordCheck(groupPath: string | undefined, checkName: string | undefined, passes: number, fails: number): void {
    if (checkName === undefined || groupPath === undefined) return;
    const group = this.group(groupPath);
    let counts = group.checks.get(checkName);
    if (counts === undefined) {
      counts = new CheckCounts();
      group.checks.set(checkName, counts);
    }
    counts.passes += passes;
    counts.fails += fails;
  }

  /** Makes a group known (from group_duration samples) so groups without checks are listed too. */
  group(path: string): GroupNode {
    const known = this.byPath.get(path);
    if (known !== undefined) return known;
    const cut = path.lastIndexOf(GROUP_SEPARATOR);
    const parent = cut <= 0 ? this.root : this.group(path.slice(0, cut));
    const node = new GroupNode(cut === -1 ? path : path.slice(cut + GROUP_SEPARATOR.length), path);
    parent.children.set(node.name, node);
    this.byPath.set(path, node);
    return node;
  }

  summary(): GroupSummary {
    return exportGroup(this.root);
  }
}

function exportGroup(node: GroupNode): GroupSummary {
  return {
    name: node.name,
    path: node.path,
    id: pathId(node.path),
    groups: [...node.children.values()].map(exportGroup),
    checks: [...node.checks.entries()].map(([name, counts]) => {
      const path = node.path + GROUP_SEPARATOR + name;
      return { name, path, id: pathId(path), passes: counts.passes, fails: counts.fails };
    }),
  };
}
