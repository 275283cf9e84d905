// externally-controlled: k6 changes its VUs through the REST API (k6 scale/pause/resume). The
// embedded engine has no such API, so validation refuses the executor and names the way out.
import type { RefusedExecutor } from './executor.ts';

export const externallyControlled: RefusedExecutor = {
  name: 'externally-controlled',
  refusal: "needs k6's REST API, which the embedded engine does not provide; run it with --engine k6",
};
