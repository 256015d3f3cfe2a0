# shellcheck shell=bash
# Drives the live view in a real pseudo-terminal: a detached tmux server of
# its own (its own socket, killed on exit), one pane running kvm-mmio-top
# under a shell that records the pty's mode (stty -g) before and after and
# the tool's exit status. Source after lib.sh.

command -v tmux >/dev/null || skip "tmux is not installed (apt-get install tmux)"
TMUX_SOCK=$work/tmux.sock
unset TMUX

tmx() {
	tmux -S "$TMUX_SOCK" "$@"
}

cleanup_tmux() {
	local pid
	if [[ -f $work/top.pid ]]; then
		pid=$(cat "$work/top.pid")
		kill "$pid" 2>/dev/null || true
	fi
	tmx kill-server 2>/dev/null || true
	cleanup
}
trap cleanup_tmux EXIT

# start_view COLS ROWS ARGS...: kvm-mmio-top ARGS in a COLSxROWS pane; returns
# once it has drawn its first screen. Its pid is in $work/top.pid; when it
# ends, $work/top.rc holds its exit status and $work/stty.after the pty mode.
start_view() {
	local cols=$1 rows=$2 q
	shift 2
	q=$(printf '%q ' "$TOP" "$@")
	cat >"$work/pane.sh" <<-EOF
		${VIEW_IGNORE_HUP:+trap '' HUP}
		stty -g >"$work/stty.before"
		sh -c 'echo \$\$ >"$work/top.pid"; exec $q' 2>"$work/top.err"
		echo \$? >"$work/top.rc.tmp"
		stty -g >"$work/stty.after" 2>/dev/null
		mv "$work/top.rc.tmp" "$work/top.rc"
		echo "pane: kvm-mmio-top exited"
		${VIEW_IGNORE_HUP:+exit 0}
		sleep 600
	EOF
	tmx -f /dev/null new-session -d -s view -x "$cols" -y "$rows" \
		"env TERM=${VIEW_TERM:-xterm-256color} LANG=C.UTF-8 LC_ALL=C.UTF-8 bash $work/pane.sh"
	[[ -n ${VIEW_TERM:-} ]] && return 0
	wait_screen "kvm-mmio-top [0-9:]+ +every" 20 ||
		fail "the live view did not draw within 20 s: $(cat "$work/top.err" 2>/dev/null)"
}

# stop_view: ends the tmux server (and the tool if still running) for another start_view.
# The server may still be exiting when kill-server returns: its socket goes
# too, so that the next start_view starts a server of its own instead of
# reaching the dying one ("server exited unexpectedly").
stop_view() {
	if [[ -f $work/top.pid ]]; then
		kill "$(cat "$work/top.pid")" 2>/dev/null || true
	fi
	tmx kill-server 2>/dev/null || true
	rm -f "$TMUX_SOCK" "$work/top.pid" "$work/top.rc" "$work/stty.before" "$work/stty.after"
}

screen() {
	tmx capture-pane -p -t view
}

# wait_screen REGEX [SECONDS]: until the pane shows a line matching REGEX.
wait_screen() {
	local deadline=$((SECONDS + ${2:-10}))
	while ((SECONDS < deadline)); do
		screen | grep -qE -- "$1" && return 0
		sleep 0.1
	done
	return 1
}

# expect_screen REGEX [SECONDS] WHAT
expect_screen() {
	wait_screen "$1" "${2:-10}" || fail "$3: no line matching /$1/ on the screen:
$(screen)"
	echo "ok: $3"
}

keys() {
	tmx send-keys -t view "$@"
	sleep 0.3
}

# wait_view_exit SECONDS: until the tool has ended; its exit status in $view_rc.
wait_view_exit() {
	local deadline=$((SECONDS + $1))
	while ((SECONDS < deadline)); do
		if [[ -f $work/top.rc ]]; then
			view_rc=$(cat "$work/top.rc")
			rm -f "$work/top.pid"
			return 0
		fi
		sleep 0.1
	done
	fail "kvm-mmio-top did not exit within $1 s; screen:
$(screen)"
}

# expect_terminal_restored: the pty's mode after the tool equals the mode before.
expect_terminal_restored() {
	expect_eq "pty mode (stty -g) after exit" "$(cat "$work/stty.before")" "$(cat "$work/stty.after")"
}

# row_of PID: the table row of PID on the screen, fields split by blanks.
row_of() {
	screen | awk -v pid="$1" '$1 == pid { print; exit }'
}

# column_index TITLE: the 1-based field of TITLE in the table header (titles
# with a blank, like "VMM p99", count as one field).
column_index() {
	screen | grep -m1 -E '^ +PID' | sed -E 's/(VMM|KRN|LOCK) (p50|p99|max)/\1_\2/g; s/EXITS\/s HISTORY.*//; s/[*^]//g' |
		awk -v t="$1" '{ for (i = 1; i <= NF; i++) if ($i == t) { print i; exit } }'
}

# field_of PID TITLE: the value in TITLE's column of PID's row.
field_of() {
	local i
	i=$(column_index "$2")
	[[ -n $i ]] || fail "no column $2 in the header: $(screen | grep -m1 -E '^ +PID')"
	row_of "$1" | awk -v i="$i" '{ print $i }'
}
