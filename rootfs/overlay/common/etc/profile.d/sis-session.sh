# sis-provision overlay: no systemd-logind creates the user's runtime directory; Podman wants one.
if [ "$(id -u)" != 0 ]; then
	XDG_RUNTIME_DIR="/tmp/run-$(id -u)"
	export XDG_RUNTIME_DIR
	mkdir -p -m 0700 "$XDG_RUNTIME_DIR"
fi
