#!/usr/bin/python3
"""Plays Firecracker's part on a VM's TAP, for sis network tests only: attaches to TAP as the VM's
uid (which only works if the TAP belongs to it) and moves Ethernet frames between the TAP and
PEER, a veth whose other end is the test's "guest" namespace.

  tap-relay.py TAP PEER UID        (prints "attached" once it holds the TAP)
"""
import fcntl
import os
import select
import socket
import struct
import sys

TUNSETIFF = 0x400454CA
IFF_TAP, IFF_NO_PI = 0x0002, 0x1000
PACKET_OUTGOING = 4


def main():
    tap, peer, uid = sys.argv[1], sys.argv[2], int(sys.argv[3])
    ps = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))  # ETH_P_ALL
    ps.bind((peer, 0))
    fd = os.open("/dev/net/tun", os.O_RDWR)  # the jailer makes this node the VM's; here root opens it
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", tap.encode(), IFF_TAP | IFF_NO_PI))  # as the VM's uid
    print("attached", flush=True)
    while True:
        r, _, _ = select.select([fd, ps], [], [])
        if fd in r:
            ps.send(os.read(fd, 65536))
        if ps in r:
            frame, addr = ps.recvfrom(65536)
            if addr[2] != PACKET_OUTGOING:
                os.write(fd, frame)


if __name__ == "__main__":
    main()
