"""A DNS server on a free local UDP port answering TXT queries from a table (real DNS wire
protocol, via dnspython), for checks such as DKIM key lookups without the internet."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import dns.message
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset


class FakeDns:
    def __init__(self) -> None:
        self.records: dict[str, list[bytes]] = {}  # name (no trailing dot) -> TXT strings
        self.queries: list[str] = []
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.bind(("127.0.0.1", 0))
        self.address = f"127.0.0.1:{self._socket.getsockname()[1]}"
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def add_txt(self, name: str, value: str) -> None:
        """One TXT record, split into strings of at most 255 bytes as DNS requires."""
        data = value.encode()
        self.records[name.rstrip(".").lower()] = [
            data[start : start + 255] for start in range(0, len(data), 255)
        ]

    def _serve(self) -> None:
        while True:
            try:
                packet, peer = self._socket.recvfrom(4096)
            except OSError:
                return
            query = dns.message.from_wire(packet)
            response = dns.message.make_response(query)
            question = query.question[0]
            name = question.name.to_text().rstrip(".").lower()
            self.queries.append(name)
            strings = self.records.get(name)
            if strings is None:
                response.set_rcode(dns.rcode.NXDOMAIN)
            elif question.rdtype == dns.rdatatype.TXT:
                quoted = " ".join('"' + part.decode() + '"' for part in strings)
                response.answer.append(
                    dns.rrset.from_text(question.name, 300, dns.rdataclass.IN, "TXT", quoted)
                )
            self._socket.sendto(response.to_wire(), peer)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._socket.close()


@contextmanager
def fake_dns() -> Iterator[FakeDns]:
    server = FakeDns()
    server.start()
    try:
        yield server
    finally:
        server.stop()
