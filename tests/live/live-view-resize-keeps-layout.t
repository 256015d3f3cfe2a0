#!/usr/bin/env bash
# timeout: 60
# Resizing the terminal redraws the live view within the new size: at
# 80x24 the status line, the column header, one line per guest (pid and
# name first) and the key footer on the last line, columns that do not fit
# left out; the drill-down's histogram still adds up; back at 200x60 every
# column is there again.
source "$(dirname "$0")/lib.sh"
require_live
source "$(dirname "$0")/tmux.sh"

tag=rz$$
start_guest "$work/a" --vcpus 2 --writes 200 -name "guest=$tag-a" --wait-file "$work/go" --linger-ms 300
a=$guest_pid
start_guest "$work/b" --writes 120 --reads 30 -name "guest=$tag-b" --wait-file "$work/go" --linger-ms 300
b=$guest_pid
start_view 200 60 -g "$tag-*" -d 0.5
touch "$work/go"
wait_guest "$a" "$work/a"
wait_guest "$b" "$work/b"
expect_screen "^ *$b +$tag-b +1 .* 150 " 10 "guest b with 150 exits"

# expect_layout COLS ROWS: what every size must keep.
expect_layout() {
	local shot lines
	shot=$(screen)
	lines=$(wc -l <<<"$shot")
	expect_eq "screen lines at $1x$2" "$2" "$lines"
	expect_eq "widest line at $1x$2 fits" 1 "$(awk -v w="$1" 'length($0) > w { bad = 1 } END { print bad ? 0 : 1 }' <<<"$shot")"
	grep -qE "^kvm-mmio-top [0-9:]+ +every" <<<"$shot" || fail "no status line at $1x$2:
$shot"
	grep -qE "^ +PID +NAME +.*EXITS/s" <<<"$shot" || fail "no column header at $1x$2:
$shot"
	grep -qE "^ *$a +$tag-a( |$)" <<<"$shot" || fail "no row for guest a at $1x$2:
$shot"
	grep -qE "^ *$b +$tag-b( |$)" <<<"$shot" || fail "no row for guest b at $1x$2:
$shot"
	tail -n 1 <<<"$shot" | grep -q "^h help  q quit" || fail "no key footer on the last line at $1x$2:
$shot"
	echo "ok: layout intact at $1x$2"
}

expect_layout 200 60
grep -q "VMM max" <<<"$(screen)" || fail "VMM max missing at 200 columns"
tmx resize-window -t view -x 80 -y 24
sleep 0.5
wait_screen "^h help" 5 || true
screen
expect_layout 80 24
screen | grep -q "VMM max" && fail "VMM max should not fit in 80 columns"
echo "ok: columns that do not fit are left out"

# Drill-down at 80x24: the VMM part's bars still add up to guest b's exits.
keys p "$b" Enter Enter
expect_screen "^guest $tag-b +pid $b" 5 "drill-down at 80x24"
screen
bars=$(screen | awk '/VMM part latency/ { on = 1; next } /^lock / { on = 0 } on && $1 ~ /^<=/ { sum += $2 } END { print sum + 0 }')
expect_eq "sum of the VMM histogram's bars at 80x24" 150 "$bars"
tail -n 1 <<<"$(screen)" | grep -q "^Esc back" || fail "no footer in the drill-down at 80x24"
keys Escape p Enter

tmx resize-window -t view -x 200 -y 60
sleep 0.5
wait_screen "VMM max" 5 || true
expect_layout 200 60
grep -q "VMM max" <<<"$(screen)" || fail "VMM max missing after growing to 200 columns"
keys q
wait_view_exit 10
expect_eq "exit status after q" 0 "$view_rc"
expect_terminal_restored
