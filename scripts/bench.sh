#!/usr/bin/env bash
# bench.sh measures teamschat-audit against opa eval and a plain-Go floor on generated
# tenants, times collection from the fake tenant and a cold build, all in one run, and
# writes the figures to docs/benchmarks.md. See docs/benchmarks.md for what each figure is.
#
#   scripts/bench.sh [--sizes 1000,10000,100000,1000000] [--opa-max 100000]
#                    [--collect-links 2000] [--latency 50ms] [--concurrency 32]
#                    [--fuzztime 15s] [--no-cold-build] [--out docs/benchmarks.md] [--work DIR]
set -euo pipefail

sizes=1000,10000,100000,1000000
opa_max=100000
collect_links=2000
latency=50ms
concurrency=32
fuzztime=15s
cold_build=1
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/docs/benchmarks.md
work=
while [ $# -gt 0 ]; do
	case $1 in
	--sizes) sizes=$2; shift ;;
	--opa-max) opa_max=$2; shift ;;
	--collect-links) collect_links=$2; shift ;;
	--latency) latency=$2; shift ;;
	--concurrency) concurrency=$2; shift ;;
	--fuzztime) fuzztime=$2; shift ;;
	--no-cold-build) cold_build=0 ;;
	--out) out=$2; shift ;;
	--work) work=$2; shift ;;
	*) echo "bench.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done
work=${work:-$(mktemp -d /tmp/tca-bench.XXXXXX)}
mkdir -p "$work"
cd "$root"
log() { echo "bench: $*" >&2; }

# /usr/bin/time -v reports peak memory; Debian ships it in the "time" package.
if [ ! -x /usr/bin/time ]; then
	log "installing GNU time"
	apt-get update -qq && apt-get install -y -qq time >/dev/null
fi

# measure NAME CMD...: runs CMD under /usr/bin/time, records "wall user sys rss_kb exit" in
# $work/NAME.m and CMD's stderr in $work/NAME.err. Exit codes 0 and 1 (findings) are fine.
measure() {
	local name=$1; shift
	local rc=0
	/usr/bin/time -f '%e %U %S %M' -o "$work/$name.time" "$@" >"$work/$name.out" \
		2>"$work/$name.err" || rc=$?
	read -r wall user sys rss <"$work/$name.time" || true
	# /usr/bin/time writes "Command exited with non-zero status N" first on failure.
	if ! [[ $wall =~ ^[0-9.]+$ ]]; then read -r wall user sys rss < <(tail -1 "$work/$name.time"); fi
	echo "$wall $user $sys $rss $rc" >"$work/$name.m"
	log "$name: wall ${wall}s user ${user}s sys ${sys}s rss ${rss}KB exit $rc"
	if [ "$rc" -gt 1 ]; then
		log "$name failed:"; tail -5 "$work/$name.err" >&2; return 1
	fi
}

load_start=$(cut -d' ' -f1-3 /proc/loadavg)

# The binaries: the CLI cold (empty GOCACHE, module cache as it is), the rest warm.
if [ "$cold_build" = 1 ]; then
	cache=$(mktemp -d "$work/gocache.XXXXXX")
	log "cold build of teamschat-audit (empty GOCACHE)"
	GOCACHE=$cache measure build go build -o "$work/teamschat-audit" ./cmd/teamschat-audit
	rm -rf "$cache"
else
	go build -o "$work/teamschat-audit" ./cmd/teamschat-audit
fi
opa_version=$(go list -m -f '{{.Version}}' github.com/open-policy-agent/opa)
log "building opa $opa_version from the module cache"
go build -o "$work/opa" github.com/open-policy-agent/opa
go build -o "$work/benchtool" ./scripts/benchtool
go build -o "$work/fake-tenant" ./cmd/fake-tenant
"$work/benchtool" query >"$work/query.rego"

# Scans: teamschat-audit, opa eval over the joined input, and the floor, size by size.
IFS=, read -r -a size_list <<<"$sizes"
for n in "${size_list[@]}"; do
	log "tenant of $n links"
	"$work/benchtool" gen --links "$n" --out "$work/snap-$n.json"
	measure "scan-$n" "$work/teamschat-audit" scan --snapshot "$work/snap-$n.json" \
		--format json --output-dir "$work/report-$n" -q
	measure "floor-$n" "$work/benchtool" floor --snapshot "$work/snap-$n.json"
	if [ "$n" -le "$opa_max" ]; then
		"$work/benchtool" input --snapshot "$work/snap-$n.json" --out "$work/input-$n.json"
		measure "opa-$n" "$work/opa" eval --data policies --ignore '*_test.rego' \
			--input "$work/input-$n.json" --format json "$(cat "$work/query.rego")"
		rm -f "$work/input-$n.json" "$work/opa-$n.out"
	fi
	du -b "$work/snap-$n.json" | cut -f1 >"$work/snap-$n.size"
	rm -f "$work/snap-$n.json"
done

# Collection from the fake tenant, with latency on every request.
collect_done=0
if "$work/fake-tenant" --help >/dev/null 2>&1; then
	log "collection of $collect_links links, latency $latency, concurrency $concurrency"
	"$work/fake-tenant" --links "$collect_links" --latency "$latency" \
		--snapshot-out "$work/collect-want.json" >"$work/fake.out" 2>"$work/fake.err" &
	fake=$!
	for _ in $(seq 100); do grep -q graph= "$work/fake.out" 2>/dev/null && break; sleep 0.2; done
	read -r g d t <"$work/fake.out"
	graph=${g#graph=} dataverse=${d#dataverse=} tenant=${t#tenant=}
	if measure collect "$work/teamschat-audit" collect --auth none --tenant-id "$tenant" \
		--graph-url "$graph" --dataverse-url "$dataverse" --concurrency "$concurrency" \
		-o "$work/collected.json"; then
		curl -s "${graph%/graph/v1.0}/_fake/stats" >"$work/stats.json" && collect_done=1
	fi
	kill "$fake" 2>/dev/null || true
	wait "$fake" 2>/dev/null || true
fi

# A short fuzzing run of every fuzz target, one at a time (go test fuzzes one target per
# run). A failure is recorded, not fatal; go test keeps the failing input in the package's
# testdata/fuzz, where it becomes a seed that CI runs.
: >"$work/fuzz.tsv"
if [ "$fuzztime" != 0 ]; then
	for pkg in $(go list ./...); do
		for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
			rc=0
			go test "$pkg" -run '^$' -fuzz "^$target\$" -fuzztime "$fuzztime" \
				>"$work/fuzz-$target.log" 2>&1 || rc=$?
			execs=$(grep -o 'execs: [0-9]*' "$work/fuzz-$target.log" | tail -1 | cut -d' ' -f2)
			printf '%s\t%s\t%s\t%s\n' "${pkg#github.com/teamschat-audit/teamschat-audit/}" \
				"$target" "${execs:-0}" "$rc" >>"$work/fuzz.tsv"
			log "fuzz $target: ${execs:-0} executions, exit $rc"
		done
	done
fi

load_end=$(cut -d' ' -f1-3 /proc/loadavg)
"$work/benchtool" report --work "$work" --sizes "$sizes" --opa-max "$opa_max" \
	--opa-version "$opa_version" --load-start "$load_start" --load-end "$load_end" \
	--cold-build="$cold_build" --collected="$collect_done" --latency "$latency" \
	--concurrency "$concurrency" --collect-links "$collect_links" --fuzztime "$fuzztime" >"$out"
log "wrote $out (work files in $work)"
