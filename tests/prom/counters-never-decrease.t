#!/usr/bin/env bash
# Counters, histogram buckets, sums and counts never decrease from one
# interval to the next while guests start and exit between intervals (their
# BPF map entries are reaped on exit, the exporter's totals must not be);
# in the end every guest's totals are its ground truth.
source "$(dirname "$0")/common.sh"

dir=$work/textfiles
mkdir "$dir"
port=$(free_port)
start_exporter --textfile-dir "$dir" --listen "127.0.0.1:$port" -i 0.1 --per-vcpu --per-region

# Scrape both outputs every 50 ms until told to stop (bounded: 20 s).
scrape() {
	local n
	for ((n = 0; n < 400; n++)); do
		[[ -e $work/stop ]] && break
		curl -sf -o "$work/scrape.listen.$n" "http://127.0.0.1:$port/metrics" || true
		cp "$dir/kvm_mmio.prom" "$work/scrape.file.$n"
		sleep 0.05
	done
}
scrape &
scraper=$!
children+=($scraper)

# Three waves, overlapping: guests start while others exit.
"$VMM" --json --guests 2 --vcpus 2 --writes 3000 --reads 1000 -name guest=a >"$work/a.json" &
a=$!
sleep 0.3
"$VMM" --json --guests 2 --vcpus 1 --writes 500 --reads 500 --linger-ms 300 -name guest=b \
	>"$work/b.json" &
b=$!
wait $a || fail "test-vmm wave a failed"
"$VMM" --json --guests 1 --vcpus 3 --writes 2000 --reads 10 -name guest=c >"$work/c.json" ||
	fail "test-vmm wave c failed"
wait $b || fail "test-vmm wave b failed"
sleep 0.5
touch "$work/stop"
wait $scraper

scrapes=("$work"/scrape.listen.*)
n=${#scrapes[@]}
((n >= 10)) || fail "only $n scrapes of /metrics; expected at least 10"
for src in listen file; do
	# shellcheck disable=SC2046
	awk -v src="$src" '
		FNR == 1 { scrape++ }
		/^#/ || !/(_total|_bucket|_sum|_count)[{ ]/ { next }
		{
			series = $1
			if (series in last && $2 + 0 < last[series] + 0) {
				printf "FAIL: %s %s went down from %s to %s in scrape %d (%s)\n",
				       src, series, last[series], $2, scrape, FILENAME
				bad = 1
			}
			last[series] = $2
			seen++
		}
		END { if (!seen) { print "FAIL: no samples in " src " scrapes"; bad = 1 } exit bad }
	' $(ls -v "$work"/scrape.$src.*) || exit 1
done

last=$(ls -v "$work"/scrape.listen.* | tail -n 1)
for wave in a b c; do
	for g in $(jq -r '.guests | keys[]' "$work/$wave.json"); do
		pid=$(jq -r ".guests[$g].pid" "$work/$wave.json")
		for dirn in read write; do
			expect_eq "wave $wave guest $g (pid $pid) ${dirn}s at the end" \
				"$(jq -r ".guests[$g].${dirn}s" "$work/$wave.json")" \
				"$(value "$last" kvm_mmio_exits_total pid="$pid" direction=$dirn)"
		done
	done
done
no_complaints
echo "PASS: $n scrapes of each output, no series ever went down, final totals exact"
