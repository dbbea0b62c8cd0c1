#!/usr/bin/env bash
# shellcheck disable=SC2016 # backquotes in single quotes are Markdown code, not commands
# Benchmark sis-audit (live and on a fixture) against spectre-meltdown-checker.
# Prints a Markdown table for README.md.  Env: BENCH_RUNS (default 50),
# BENCH_FIXTURES (default tests/fixtures/hosts).  Goals missed => still exit 0;
# a command that cannot run at all => exit 1.
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
set -e
cd "$SIS_ROOT"

RUNS=${BENCH_RUNS:-50}
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "bench: BENCH_RUNS must be a positive integer" >&2; exit 1; }
BIN=build/sis-audit
[[ -x $BIN ]] || { echo "bench: $BIN missing (run make)" >&2; exit 1; }
TMP=$tmp # lib.sh's, removed at exit
die() { echo "bench: $*" >&2; exit 1; }
root() { [[ $(id -u) -eq 0 ]]; }

# --- tools -------------------------------------------------------------------
TIME=/usr/bin/time
if [[ ! -x $TIME ]] && root; then apt-get install -y -qq time >/dev/null 2>&1 || true; fi
[[ -x $TIME ]] || { TIME=; echo "note: GNU time not found; peak RSS not measured" >&2; }
SMC=$(command -v spectre-meltdown-checker || true)
[[ -z $SMC && -x /usr/sbin/spectre-meltdown-checker ]] && SMC=/usr/sbin/spectre-meltdown-checker
if [[ -z $SMC ]] && root; then
	apt-get install -y -qq spectre-meltdown-checker >/dev/null 2>&1 || true
	SMC=$(command -v spectre-meltdown-checker || ls /usr/sbin/spectre-meltdown-checker 2>/dev/null || true)
fi
FIXDIR=${BENCH_FIXTURES:-tests/fixtures/hosts}
FIX=
for f in "$FIXDIR/this-machine" "$FIXDIR/intel-hardened" "$FIXDIR"/*/; do
	[[ -d $f ]] && { FIX=${f%/}; break; }
done

# Exit codes that mean "ran fine": sis-audit 0/1/3 (2 = usage/internal error);
# spectre-meltdown-checker reports findings via its exit code, so anything
# below 126 (not "cannot execute", "not found", or killed by a signal).
rc_ok() { case $1 in sis|fix) [[ $2 =~ ^[013]$ ]] ;; merge|render|kcache|img|imgv|classic|rootfs) [[ $2 == 0 ]] ;; *) (( $2 < 126 )) ;; esac; }

# bench KIND LABEL CMD... -> appends a table row to $TMP/rows, median to $TMP/median.KIND
bench() {
	local kind=$1 label=$2; shift 2
	local rc=0 i t0 t1 kib=0 k
	"$@" >"$TMP/out" 2>/dev/null || rc=$?   # verify + warm-up run
	rc_ok "$kind" "$rc" || die "'$*' exited $rc"
	[[ $kind =~ ^(kcache|img|imgv|classic|rootfs)$ || -s $TMP/out ]] || die "'$*' produced no output"
	: >"$TMP/ms"
	if command -v hyperfine >/dev/null; then
		hyperfine -N -i --style none --runs "$RUNS" --export-json "$TMP/h.json" \
			"$(printf '%q ' "$@")" >/dev/null 2>&1 || die "hyperfine failed on '$*'"
		awk '/"times"/{f=1;next} f&&/\]/{f=0} f{gsub(/,/,"");printf "%.6f\n",$1*1000}' \
			"$TMP/h.json" >"$TMP/ms"
		# shellcheck disable=SC2013 # numbers, one a word
		for rc in $(awk '/"exit_codes"/{f=1;next} f&&/\]/{f=0} f{gsub(/,/,"");print $1}' "$TMP/h.json"); do
			rc_ok "$kind" "$rc" || die "'$*' exited $rc"
		done
	else
		for ((i = 0; i < RUNS; i++)); do
			rc=0; t0=$EPOCHREALTIME
			"$@" >/dev/null 2>&1 || rc=$?
			t1=$EPOCHREALTIME
			rc_ok "$kind" "$rc" || die "'$*' exited $rc"
			echo "$t0 $t1" | awk '{printf "%.6f\n",($2-$1)*1000}' >>"$TMP/ms"
		done
	fi
	if [[ -n $TIME ]]; then                 # peak RSS: max over 3 extra runs
		for i in 1 2 3; do
			"$TIME" -f %M -o "$TMP/rss" "$@" >/dev/null 2>&1 || true
			k=$(tail -n1 "$TMP/rss"); [[ $k =~ ^[0-9]+$ ]] || die "no RSS for '$*'"
			(( k > kib )) && kib=$k
		done
	fi
	sort -n "$TMP/ms" | awk -v label="$label" -v kib="$kib" -v out="$TMP/median.$kind" '
		{ v[NR] = $1 }
		END {
			n = NR; if (n == 0) exit 1
			med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
			p = int(0.9 * n); if (p < 0.9 * n) p++
			rss = kib ? sprintf("%.1f", kib / 1024) : "n/a"
			printf "| %s | %d | %.2f | %.2f | %.2f | %s |\n", label, n, med, v[p], v[1], rss
			print med > out
			if (kib && out !~ /smc$/) print kib / 1024 > (out ".rss")
		}' >>"$TMP/rows" || die "no timings for '$*'"
}

: >"$TMP/rows"; NOTES=()
bench sis '`sis-audit --format json` (live host)' "$BIN" --format json
if [[ -n $FIX ]]; then
	bench fix "\`sis-audit --format json --root ${FIX#"$FIXDIR"/}\` (fixture)" "$BIN" --format json --root "$FIX"
else
	NOTES+=("fixture row skipped: no directory under $FIXDIR/")
fi
# sis-report merge: a fleet of 100 generated host reports (the fixtures, renamed host-000..099)
if [[ -x build/sis-report ]] && compgen -G "$FIXDIR/*/" >/dev/null; then
	mkdir -p "$TMP/fleet"
	fx=("$FIXDIR"/*/)
	for i in $(seq 0 99); do
		f=${fx[$((i % ${#fx[@]}))]}
		h=$(printf 'host-%03d' "$i")
		"$BIN" --root "$f" --format json 2>/dev/null |
			sed "s/^    \"hostname\": .*/    \"hostname\": \"$h\",/" >"$TMP/fleet/$h.json" || true
	done
	bench merge '`sis-report merge` of 100 host reports, `--format html`' build/sis-report merge "$TMP"/fleet/*.json --format html
	# one report of 16,000 checks (the duplicate test was quadratic: 2.1 s), rendered as JSON
	/usr/bin/python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
base = r["checks"]
r["checks"] = [dict(base[i % len(base)], id="check.%05d" % i) for i in range(16000)]
json.dump(r, open(sys.argv[2], "w"))' "$TMP/fleet/host-000.json" "$TMP/big.json"
	bench render '`sis-report render --format json` of one report of 16,000 checks' build/sis-report render "$TMP/big.json" --format json
fi
# sis-provision: a cold kernel build (once, into a cache under build/) and the cached rebuild
KSRC=${SIS_KERNEL_SOURCE:-/usr/src/linux-source-6.1.tar.xz}
if [[ ${BENCH_KERNEL:-1} == 1 && -x build/sis-provision && -f $KSRC ]]; then
	kcache=build/bench-kernel-cache
	if [[ ! -d $kcache/kernel ]] || [[ -z $(ls -A "$kcache/kernel" 2>/dev/null) ]]; then
		echo "bench: building the sis-guest kernel once, cold (several minutes)..." >&2
		t0=$EPOCHREALTIME
		build/sis-provision kernel --source "$KSRC" --profile sis-guest --cache "$kcache" --out "$TMP/kout" 2>/dev/null ||
			die "the cold kernel build failed"
		t1=$EPOCHREALTIME
		awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.0f\n", b - a}' >"$kcache/cold-seconds"
	fi
	KCOLD=$(cat "$kcache/cold-seconds" 2>/dev/null || echo "?")
	RUNS_SAVED=$RUNS; RUNS=10
	bench kcache '`sis-provision kernel` cached rebuild (sis-guest, unchanged inputs)' \
		build/sis-provision kernel --source "$KSRC" --profile sis-guest --cache "$kcache" --out "$TMP/kout"
	RUNS=$RUNS_SAVED
	NOTES+=("cold sis-guest kernel build from linux-source-6.1 (2 jobs): ${KCOLD} s")
fi
# sis-provision rootfs: the image from a prepared tree (the Debian base of the sis-session
# recipe, unpacked as root), ours (sorted pax -> mke2fs -d -, no root) against the classic
# mkfs.ext4 + loop mount + cp -a + umount (root); then the whole rootfs rebuild from the cached base
if [[ ${BENCH_ROOTFS:-1} == 1 && -x build/bench-image ]] && root && command -v mmdebstrap >/dev/null && losetup -f >/dev/null 2>&1; then
	rcache=build/bench-rootfs-cache
	if ! compgen -G "$rcache/debian/*.tar" >/dev/null; then
		echo "bench: building the Debian base once (network)..." >&2
		build/sis-provision rootfs --distro debian --cache "$rcache" --out "$TMP/rout" 2>/dev/null || die "the Debian rootfs build failed"
	fi
	# shellcheck disable=SC2012 # the cache's own names (sha256.tar): the newest first
	base=$(ls -t "$rcache"/debian/*.tar)
	base=${base%%$'\n'*}
	mkdir -p "$TMP/tree" "$TMP/mnt"
	tar -xf "$base" -C "$TMP/tree"
	tsize=$(du -sm "$TMP/tree" | cut -f1)
	isize=$(( tsize * 13 / 10 + 64 ))M
	RUNS_SAVED=$RUNS; RUNS=${BENCH_IMAGE_RUNS:-7}
	bench img "image from a prepared tree (${tsize} MiB): \`sis-provision\` sorted pax → \`mke2fs -d -\`, no root" \
		sh -c "rm -f '$TMP/o.img'; exec build/bench-image '$TMP/tree' '$TMP/o.img'"
	bench imgv "the same, plus its dm-verity tree (\`sis-provision rootfs\` appends one to every image)" \
		sh -c "rm -f '$TMP/v.img'; exec build/bench-image '$TMP/tree' '$TMP/v.img' verity"
	s0=$(stat -c %s "$TMP/o.img") s1=$(stat -c %s "$TMP/v.img")
	NOTES+=("the dm-verity tree: the image grows from $((s0 >> 20)) MiB to $((s1 >> 20)) MiB (+$(awk -v a="$s0" -v b="$s1" 'BEGIN { printf "%.2f", (b - a) * 100 / a }') %); its build time is the imgv row against the img row")
	bench classic "the same tree, classic: \`mkfs.ext4\` + loop mount + \`cp -a\` + umount + sync (root)" \
		sh -c "rm -f '$TMP/c.img' && truncate -s $isize '$TMP/c.img' && mkfs.ext4 -q -F '$TMP/c.img' && mount -o loop '$TMP/c.img' '$TMP/mnt' && cp -a '$TMP/tree/.' '$TMP/mnt/' && umount '$TMP/mnt' && sync '$TMP/c.img'"
	RUNS=3
	bench rootfs '`sis-provision rootfs --distro debian`, Debian base cached (unpack, settings, image)' \
		build/sis-provision rootfs --distro debian --offline --cache "$rcache" --out "$TMP/rout"
	RUNS=$RUNS_SAVED
else
	NOTES+=("rootfs image rows skipped: they need root, a loop device and mmdebstrap (BENCH_ROOTFS=0 skips them)")
fi
# sis-launch: run -> InstanceStart accepted, against the recording server behind a stand-in jailer,
# minus their own time (tests/launch/bench.sh)
if [[ ${BENCH_LAUNCH:-1} == 1 && -x build/sis-launch ]] && root; then
	read -r lmed lp90 lmin lkib < <(tests/launch/bench.sh "${BENCH_LAUNCH_RUNS:-20}") || die "tests/launch/bench.sh failed"
	printf '| `sis-launch run` to InstanceStart accepted (recording server; its and the stand-in jailer'"'"'s time subtracted) | %d | %.2f | %.2f | %.2f | %.1f |\n' \
		"${BENCH_LAUNCH_RUNS:-20}" "$lmed" "$lp90" "$lmin" "$(awk -v k="$lkib" 'BEGIN{print k/1024}')" >>"$TMP/rows"
	echo "$lmed" >"$TMP/median.launch"
fi
# sis-launch metrics of 100 stand-in VMs with their networks (namespace, TAP, tbf, firewall), in
# a namespace of the bench's own, beside what an operator would script without it: per VM, ip and
# nft in its namespace (tests/launch/bench.sh metrics)
if [[ ${BENCH_LAUNCH:-1} == 1 && -x build/sis-launch ]] && root; then
	nv=${BENCH_METRICS_VMS:-100} n=${BENCH_METRICS_RUNS:-20}
	read -r mmed mp90 mkib mbase msamples < <(tests/launch/bench.sh metrics "$nv" "$n") || die "tests/launch/bench.sh metrics failed"
	printf '| `sis-launch metrics` of %d stand-in VMs with their networks (%d samples: cgroups, TAP and qdisc counters, nftables counters) | %d | %.2f | %.2f | n/a | %.1f |\n' \
		"$nv" "$msamples" "$n" "$mmed" "$mp90" "$(awk -v k="$mkib" 'BEGIN{print k/1024}')" >>"$TMP/rows"
	printf '| baseline: `ip -s -j link show tap0` and `nft -j list counters` in each of the %d VMs'"'"' namespaces | 1 | %.1f | n/a | n/a | n/a |\n' \
		"$nv" "$mbase" >>"$TMP/rows"
	echo "$mmed" >"$TMP/median.metrics"
	echo "$mbase" >"$TMP/median.metrics-base"
fi
# sis's jail for the QEMU backend alone: fork to QEMU's exec, with QEMU's ~60 files bound in, a
# cgroup per hierarchy joined, /dev, /proc, pivot_root, capabilities, seccomp (tests/bench/jail.c)
QEMU_BIN=$(command -v qemu-system-x86_64 || true)
if [[ ${BENCH_JAIL:-1} == 1 && -x build/bench-jail && -n $QEMU_BIN ]] && root; then
	n=${BENCH_JAIL_RUNS:-50}
	build/bench-jail "$QEMU_BIN" "$n" >"$TMP/jail.ms" || die "build/bench-jail failed"
	label="sis's jail for QEMU, fork to exec: namespaces, cgroups joined, QEMU's files bound read-only, /dev, /proc, pivot_root, no capabilities, seccomp"
	sort -n "$TMP/jail.ms" | awk -v out="$TMP/median.jail" -v label="$label" '{ v[NR] = $1 } END {
		n = NR; med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
		p = int(0.9 * n); if (p < 0.9 * n) p++
		printf "| %s | %d | %.2f | %.2f | %.2f | n/a |\n", label, n, med, v[p], v[1]
		print med > out }' >>"$TMP/rows"
fi
# sealed snapshots: a guest-memory-like file in a tmpfs (as the jail's) copied plainly (what an
# unsealed snapshot and restore did), sealed (snapshot) and opened (restore), side by side
if [[ ${BENCH_SEAL:-1} == 1 && -x build/bench-seal ]]; then
	mib=${BENCH_SEAL_MIB:-256}
	sd=$(mktemp -d /dev/shm/sis-bench-seal.XXXXXX)
	build/bench-seal "$sd" "$mib" "${BENCH_SEAL_RUNS:-5}" >"$TMP/seal.txt" || { rmdir "$sd"; die "build/bench-seal failed"; }
	rmdir "$sd"
	while read -r kind ms rate; do
		case $kind in
		copy) what="a plain copy (an unsealed snapshot's or restore's)" ;;
		seal) what="sealing it (snapshot: AES-256-GCM, sha256 of the plaintext for the manifest)" ;;
		open) what="opening it (restore: every tag verified, chunks opened by $(nproc) threads at most 4)" ;;
		esac
		printf '| %s MiB of guest memory, tmpfs to tmpfs: %s, %s MiB/s | %d | %.1f | n/a | n/a | n/a |\n' "$mib" "$what" "$rate" \
			"${BENCH_SEAL_RUNS:-5}" "$ms" >>"$TMP/rows"
		echo "$ms" >"$TMP/median.seal-$kind"
	done <"$TMP/seal.txt"
	# the whole restore of a VM whose guest used as much memory: sis-launch snapshot and restore,
	# the stand-in jailer's own time subtracted (tests/launch/bench.sh restore)
	if [[ ${BENCH_LAUNCH:-1} == 1 && -x build/sis-launch ]] && root; then
		n=${BENCH_RESTORE_RUNS:-5}
		read -r smed rmed rmin < <(tests/launch/bench.sh restore "$n" "$mib") || die "tests/launch/bench.sh restore failed"
		printf '| `sis-launch snapshot` of a VM whose guest used %s MiB (pause, Firecracker'"'"'s files sealed, manifest) | %d | %.1f | n/a | n/a | n/a |\n' \
			"$mib" "$n" "$smed" >>"$TMP/rows"
		printf '| `sis-launch restore` of it: verified, opened into the jail, the VMM started and loaded (the stand-in jailer'"'"'s time subtracted) | %d | %.1f | n/a | %.1f | n/a |\n' \
			"$n" "$rmed" "$rmin" >>"$TMP/rows"
		echo "$rmed" >"$TMP/median.restore"
	fi
fi
# the QEMU backend under TCG, as measured by the last `make e2e` (a whole Debian guest boot is
# minutes of work under emulation: it is not repeated here)
if [[ -f build/e2e-bench.txt ]]; then
	e2e() { sed -n "s/^$1=//p" build/e2e-bench.txt; }
	tcg_boot_to_first_marker_s=$(e2e tcg_boot_to_first_marker_s) vmm_peak_rss_kib=$(e2e vmm_peak_rss_kib) jail_setup_ms=$(e2e jail_setup_ms)
	NOTES+=("from the last make e2e (two Debian guests booting at once, 1 vCPU each, TCG): boot to the first guest marker ${tcg_boot_to_first_marker_s} s; QEMU peak RSS $((vmm_peak_rss_kib / 1024)) MiB; sis's jail set up (fork to QEMU's exec) in ${jail_setup_ms} ms (first VM, second VM)")
else
	NOTES+=("QEMU/TCG figures skipped: run make e2e first")
fi
if [[ -n $SMC ]]; then
	bench smc '`spectre-meltdown-checker --batch json`' "$SMC" --batch json
else
	NOTES+=("spectre-meltdown-checker row skipped: not installed")
fi

# --- report ------------------------------------------------------------------
cpu=$(awk -F': *' '/^model name/{print $2; exit}' /proc/cpuinfo)
echo "**Machine:** $(nproc) CPUs, ${cpu:-unknown CPU}, Linux $(uname -r)  "
ver=$("$BIN" --version)
[[ -n $SMC ]] && smc_ver=$("$SMC" --version 2> /dev/null || true) && smc_ver=${smc_ver%%$'\n'*} && ver="${ver%%$'\n'*}, spectre-meltdown-checker ${smc_ver##* }"
echo "**Versions:** ${ver%%$'\n'*}  "
echo "**Method:** $RUNS runs each after 1 warm-up, output to /dev/null, $(command -v hyperfine >/dev/null && echo "hyperfine -N" || echo "bash \$EPOCHREALTIME loop"); peak RSS = max of 3 runs under GNU time"
echo
echo "| Command | Runs | Median (ms) | p90 (ms) | Min (ms) | Peak RSS (MiB) |"
echo "|---|---:|---:|---:|---:|---:|"
cat "$TMP/rows"
for n in "${NOTES[@]}"; do echo; echo "_Note: ${n}._"; done
echo

live=$(cat "$TMP/median.sis")
goal() { if awk "BEGIN{exit !($2)}"; then echo "- PASS: $1"; else echo "- MISS: $1"; fi; }
# under KIND TEXT FORMAT LIMIT: the goal "TEXT (MEDIAN ms)", MEDIAN < LIMIT, for a row that ran
under() {
	[[ -f $TMP/median.$1 ]] || return 0
	local m; m=$(cat "$TMP/median.$1")
	goal "$2 ($(awk -v m="$m" -v f="$3" 'BEGIN{printf f, m}') ms)" "$m < $4"
}
goal "live median < 10 ms ($(printf %.2f "$live") ms)" "$live < 10"
if [[ -f $TMP/median.smc ]]; then
	x=$(awk -v a="$(cat "$TMP/median.smc")" -v b="$live" 'BEGIN{printf "%.1f", a / b}')
	echo "- Speed-up vs spectre-meltdown-checker (median/median): **${x}×**"
	goal "≥ 100× faster than spectre-meltdown-checker (${x}×)" "$x >= 100"
else
	echo "- SKIP: ≥ 30× faster than spectre-meltdown-checker (not installed)"
fi
under merge "sis-report merge of 100 reports < 1 s" %.1f 1000
under render "sis-report render of a report of 16,000 checks < 1 s" %.0f 1000
under kcache "cached kernel rebuild < 1 s" %.0f 1000
if [[ -f $TMP/median.img && -f $TMP/median.classic ]]; then
	x=$(awk -v a="$(cat "$TMP/median.classic")" -v b="$(cat "$TMP/median.img")" 'BEGIN{printf "%.2f", a / b}')
	goal "image from a prepared tree ≥ 3× faster than the classic loop-mount method (${x}×)" "$x >= 3"
fi
if [[ -f $TMP/median.metrics ]]; then
	m=$(cat "$TMP/median.metrics")
	x=$(awk -v a="$(cat "$TMP/median.metrics-base")" -v b="$m" 'BEGIN{printf "%.0f", a / b}')
	goal "sis-launch metrics of ${BENCH_METRICS_VMS:-100} VMs < 100 ms ($(printf %.1f "$m") ms; ${x}× faster than the ip/nft baseline)" "$m < 100"
fi
under launch "sis-launch run to InstanceStart < 20 ms" %.1f 20
under jail "sis's jail set up < 10 ms" %.1f 10
if [[ -f $TMP/median.restore && -f $TMP/median.seal-open && -f $TMP/median.seal-copy ]]; then
	# what encryption adds to a restore: opening the memory instead of copying it, in the same run
	r=$(cat "$TMP/median.restore")
	x=$(awk -v o="$(cat "$TMP/median.seal-open")" -v c="$(cat "$TMP/median.seal-copy")" -v r="$r" 'BEGIN{printf "%.1f", (o - c) / r * 100}')
	goal "encryption costs < 20% of restore time (${x}%: opening $(printf %.0f "$(cat "$TMP/median.seal-open")") ms against a plain copy's $(printf %.0f "$(cat "$TMP/median.seal-copy")") ms, of a $(printf %.0f "$r") ms restore)" "$x < 20"
fi
if [[ -n $TIME ]]; then
	rss=$(cat "$TMP"/median.sis.rss "$TMP"/median.fix.rss 2>/dev/null | sort -n | tail -n1)
	goal "sis-audit peak RSS < 8 MiB ($(printf %.1f "$rss") MiB)" "$rss < 8"
else
	echo "- SKIP: sis-audit peak RSS < 8 MiB (GNU time missing)"
fi
