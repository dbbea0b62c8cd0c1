# sis-provision overlay: no systemd-logind creates the user's runtime directory; Podman wants one.
if [ "$(id -u)" != 0 ]; then
	XDG_RUNTIME_DIR="/tmp/run-$(id -u)"
	export XDG_RUNTIME_DIR
	# shellcheck disable=SC2174 # /tmp exists: -m applies to the one directory made here
	mkdir -p -m 0700 "$XDG_RUNTIME_DIR"
fi
