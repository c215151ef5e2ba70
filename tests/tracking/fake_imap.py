"""A small IMAP4rev1 server for tests: enough of the protocol for imaplib's LOGIN, SELECT,
SEARCH UNSEEN, FETCH (RFC822), STORE +FLAGS, EXPUNGE and LOGOUT, over one in-memory mailbox."""

import re
import socketserver
import threading
from dataclasses import dataclass, field


@dataclass
class StoredMail:
    raw: bytes
    flags: set[str] = field(default_factory=set)


@dataclass
class Mailbox:
    username: str = "bounces"
    password: str = "pa ss"
    folder: str = "INBOX"
    mails: list[StoredMail] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, raw: bytes, *flags: str) -> None:
        self.mails.append(StoredMail(raw, set(flags)))


def _arguments(text: str) -> list[str]:
    return [quoted.replace('\\"', '"').replace("\\\\", "\\") if quoted else bare
            for quoted, bare in re.findall(r'"((?:[^"\\]|\\.)*)"|(\S+)', text)]


class _Handler(socketserver.StreamRequestHandler):
    mailbox: Mailbox

    def send(self, line: str | bytes) -> None:
        self.wfile.write((line.encode() if isinstance(line, str) else line) + b"\r\n")

    def handle(self) -> None:
        self.send("* OK [CAPABILITY IMAP4rev1] fake server ready")
        selected = False
        while True:
            line = self.rfile.readline()
            if not line:
                return
            tag, _space, rest = line.decode().rstrip("\r\n").partition(" ")
            command, _space, args = rest.partition(" ")
            command = command.upper()
            self.mailbox.commands.append(command)
            if command == "CAPABILITY":
                self.send("* CAPABILITY IMAP4rev1")
            elif command == "LOGIN":
                user, password = _arguments(args)[:2]
                if (user, password) != (self.mailbox.username, self.mailbox.password):
                    self.send(f"{tag} NO [AUTHENTICATIONFAILED] wrong credentials")
                    continue
            elif command == "SELECT":
                if _arguments(args)[0] != self.mailbox.folder:
                    self.send(f"{tag} NO no such mailbox")
                    continue
                selected = True
                self.send(f"* {len(self.mailbox.mails)} EXISTS")
                self.send("* FLAGS (\\Seen \\Deleted)")
                self.send(f"{tag} OK [READ-WRITE] SELECT completed")
                continue
            elif command in {"SEARCH", "FETCH", "STORE", "EXPUNGE"} and not selected:
                self.send(f"{tag} BAD select a mailbox first")
                continue
            elif command == "SEARCH":
                unseen = [str(i + 1) for i, mail in enumerate(self.mailbox.mails)
                          if "\\Seen" not in mail.flags]
                self.send("* SEARCH" + "".join(f" {n}" for n in unseen))
            elif command == "FETCH":
                number = int(args.split()[0])
                raw = self.mailbox.mails[number - 1].raw
                self.send(f"* {number} FETCH (RFC822 {{{len(raw)}}}".encode())
                self.wfile.write(raw)
                self.send(")")
            elif command == "STORE":
                number, _mode, flags = args.split(" ", 2)
                mail = self.mailbox.mails[int(number) - 1]
                mail.flags.update(flags.strip("()").split())
                self.send(f"* {number} FETCH (FLAGS ({' '.join(sorted(mail.flags))}))")
            elif command == "EXPUNGE":
                for index in range(len(self.mailbox.mails), 0, -1):
                    if "\\Deleted" in self.mailbox.mails[index - 1].flags:
                        del self.mailbox.mails[index - 1]
                        self.send(f"* {index} EXPUNGE")
            elif command == "LOGOUT":
                self.send("* BYE logging out")
                self.send(f"{tag} OK LOGOUT completed")
                return
            else:
                self.send(f"{tag} BAD unknown command")
                continue
            self.send(f"{tag} OK {command} completed")


class FakeImapServer:
    def __init__(self, mailbox: Mailbox) -> None:
        handler = type("Handler", (_Handler,), {"mailbox": mailbox})
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "FakeImapServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
