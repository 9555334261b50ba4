import * as os from "node:os";

/**
 * The account running the simulator: what the `{{osUser}}` placeholder of a scenario becomes.
 * sshd can only log in real OS accounts, and this is the one whose keys and files the simulator
 * can always manage.
 */
export function osUser(): string {
  return os.userInfo().username;
}
