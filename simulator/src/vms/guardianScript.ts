/**
 * The guardian: a few lines of POSIX sh that run one sshd and guarantee it dies with the simulator.
 *
 * The simulator spawns `sh -c GUARDIAN_SCRIPT azsim-sshd-guardian <sshd> <config> <pidfile> [setpriv]`
 * with a pipe on stdin (the lifeline). The simulator never writes to it; the guardian only waits for
 * it to close. It closes when the simulator ends it (stop) and also when the simulator dies in any
 * way, SIGKILL included, because the kernel closes the write end with the process. On that EOF the
 * guardian kills sshd and every descendant (per-connection sshd processes call setsid(), so a
 * process-group kill would miss them), then exits once sshd is reaped.
 *
 * If sshd exits by itself (bad config, port taken), the guardian exits with sshd's status, which is
 * how the simulator learns about it. When util-linux `setpriv` is available sshd also gets
 * PR_SET_PDEATHSIG=SIGKILL, so even a SIGKILL of the guardian itself does not leave the listener
 * behind. The guardian records sshd's pid so that a later run can sweep strays (straySweep.ts).
 *
 * Why sh and not node: one guardian per VM, and a shell costs about 1 MB where node costs 40.
 */
export const GUARDIAN_SCRIPT = `
set -u
sshd_bin=$1 config=$2 pid_file=$3 setpriv_bin=\${4:-}
# fd 3 is the lifeline; stdin itself becomes /dev/null so that sshd does not hold the pipe.
exec 3<&0 </dev/null
kill_tree() {
  kill -STOP "$1" 2>/dev/null || return 0
  if command -v pgrep >/dev/null 2>&1; then
    for child in $(pgrep -P "$1"); do kill_tree "$child"; done
  fi
  kill -KILL "$1" 2>/dev/null
}
if [ -n "$setpriv_bin" ]; then
  "$setpriv_bin" --pdeathsig KILL -- "$sshd_bin" -D -e -f "$config" 3<&- &
else
  "$sshd_bin" -D -e -f "$config" 3<&- &
fi
sshd_pid=$!
echo "$sshd_pid" > "$pid_file"
{ while IFS= read -r _ <&3; do :; done; kill_tree "$sshd_pid"; } &
watcher_pid=$!
exec 3<&-
wait "$sshd_pid"
status=$?
kill "$watcher_pid" 2>/dev/null
rm -f "$pid_file"
exit "$status"
`;

/** argv[0] of every guardian, so that a sweep can recognise one from its command line. */
export const GUARDIAN_NAME = "azsim-sshd-guardian";
