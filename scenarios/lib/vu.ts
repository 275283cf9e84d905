// Which VU this is, for per-VU identities (the citizen, the agency, the inbox) and seeds.
import exec from 'k6/execution';

/**
 * This VU's number, unique across every k6 instance of the test: k6-operator runs several instances,
 * and __VU starts at 1 in each of them, which would make pods share citizens and inboxes.
 */
export function vuNumber(): number {
  return exec.vu.idInTest;
}
