#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Prints what Python's standard mailbox and email modules see in a Maildir++ directory.

Usage: read_maildir.py MAILDIR

For every folder (INBOX first, then the Maildir++ folders by name) and every message in it
(by Message-ID), prints lines of the form `key value`, strings as JSON:

    message "<id@example.org>"
    folder "Sent Items"
    subdir "cur"
    flags "S"
    subject "..."
    from "name" "address"
    to "name" "address"        (one line per recipient; also cc, bcc)
    body "..."                  (line breaks as \\n)
    attachment "file name" "content/type" SHA256
    end
"""
import email
import email.policy
import hashlib
import json
import mailbox
import sys


def q(text):
    return json.dumps(text, ensure_ascii=False)


def describe(folder_name, md):
    found = []
    for key in md.iterkeys():
        meta = md.get_message(key)
        msg = email.message_from_bytes(md.get_bytes(key), policy=email.policy.default)
        lines = [f"message {q(str(msg['message-id']))}", f"folder {q(folder_name)}",
                 f"subdir {q(meta.get_subdir())}", f"flags {q(meta.get_flags())}",
                 f"subject {q(str(msg['subject']))}"]
        for field in ("from", "to", "cc", "bcc"):
            header = msg[field]
            if header is None:
                continue
            for address in header.addresses:
                lines.append(f"{field} {q(address.display_name)} {q(address.addr_spec)}")
        body = msg.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        lines.append(f"body {q(text.replace(chr(13) + chr(10), chr(10)))}")
        for part in msg.iter_attachments():
            data = part.get_payload(decode=True) or b""
            lines.append(f"attachment {q(part.get_filename())} {q(part.get_content_type())} "
                         f"{hashlib.sha256(data).hexdigest()}")
        lines.append("end")
        found.append((str(msg["message-id"]), lines))
    for _, lines in sorted(found):
        print("\n".join(lines))


def main():
    root = mailbox.Maildir(sys.argv[1], factory=None, create=False)
    describe("INBOX", root)
    for name in sorted(root.list_folders()):
        describe(name, root.get_folder(name))


if __name__ == "__main__":
    main()
