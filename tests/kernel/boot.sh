#!/usr/bin/env bash
# Boot a built guest kernel under QEMU's microvm machine with TCG (no KVM needed), without ACPI as
# Firecracker boots it (devices on the command line: QEMU adds virtio_mmio.device=), with a tiny
# initramfs made here from busybox, and have the guest report what it supports: nftables,
# overlay, fuse, tun and virtio-rng. Usage: tests/kernel/boot.sh DIR (with bzImage in it).
# Prints "ok NAME" / "not ok NAME".
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
out=${1:?usage: boot.sh KERNEL_DIR}
need_cmd qemu-system-x86_64 cpio gzip

bb=$(command -v busybox || echo /bin/busybox)
has 'statically linked' "$(file -L "$bb" 2> /dev/null)" || { notok "busybox-static is needed (scripts/deps.sh kernel)"; exit 1; }
mkdir -p "$tmp/root/bin" "$tmp/root/proc" "$tmp/root/sys" "$tmp/root/dev"
cp "$bb" "$tmp/root/bin/busybox"
for a in sh cat grep zcat mount ls echo reboot sleep; do ln -s busybox "$tmp/root/bin/$a"; done
cat > "$tmp/root/init" <<'INIT'
#!/bin/sh
# no /dev/console in the archive (made without root): get one from devtmpfs first
mount -t devtmpfs dev /dev
exec > /dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
echo "SIS-BOOT: kernel $(cat /proc/sys/kernel/osrelease)"
zcat /proc/config.gz > /config
grep -q '^CONFIG_NF_TABLES=y' /config && echo "SIS-HAS: nftables"
grep -q '^CONFIG_NFT_MASQ=y' /config && echo "SIS-HAS: nft-masq"
grep -qw overlay /proc/filesystems && echo "SIS-HAS: overlay"
grep -qw fuse /proc/filesystems && echo "SIS-HAS: fuse"
[ -e /sys/class/misc/tun ] && echo "SIS-HAS: tun"
grep -q virtio_rng /sys/class/misc/hw_random/rng_available 2>/dev/null && echo "SIS-HAS: virtio-rng"
[ -e /proc/net/unix ] && echo "SIS-HAS: proc-net"
echo "SIS-BOOT: done"
# microvm has no power button here: reboot by triple fault (reboot=t), which -no-reboot turns
# into QEMU exiting
reboot -f
INIT
chmod 755 "$tmp/root/init"
(cd "$tmp/root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet --reproducible | gzip -n -9) > "$tmp/initramfs.gz"

timeout 120 qemu-system-x86_64 -M microvm,acpi=off -accel tcg -m 256 -smp 1 -nodefaults -no-user-config -display none \
        -serial "file:$tmp/serial.log" -no-reboot \
        -kernel "$out/bzImage" -initrd "$tmp/initramfs.gz" -append "console=ttyS0 panic=-1 reboot=t rdinit=/init" \
        -device virtio-rng-device > "$tmp/qemu.log" 2>&1
rc=$?
tr -d '\r' < "$tmp/serial.log" > "$tmp/serial.txt" # the serial line ends lines with CRLF
grep -a 'SIS-' "$tmp/serial.txt"
[ "$rc" = 0 ] && ok "qemu microvm (tcg, no ACPI) ran the guest to its end" || notok "qemu exited $rc" "$(tail -5 "$tmp/qemu.log")" "$(tail -20 "$tmp/serial.txt")"
grep -aq 'SIS-BOOT: done' "$tmp/serial.txt" && ok "the guest reached user space" || notok "the guest never reached user space"
for f in nftables nft-masq overlay fuse tun virtio-rng proc-net; do
        grep -aq "SIS-HAS: $f\$" "$tmp/serial.txt" && ok "guest has $f" || notok "guest lacks $f"
done
finish
