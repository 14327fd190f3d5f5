#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Adds one message to the INBOX of a Maildir with Python's standard mailbox and email modules,
as another mail program would, and prints its mailbox key.

Usage: maildir_write.py MAILDIR
"""
import datetime
import email.message
import email.utils
import mailbox
import sys
from email.headerregistry import Address


def main():
    msg = email.message.EmailMessage()
    msg["Subject"] = "Grüße aus Python ✓"
    msg["From"] = Address("Zoë Python", addr_spec="zoe@example.org")
    msg["To"] = [Address("Jürgen Müller", addr_spec="juergen@example.org"), Address(addr_spec="plain@example.org")]
    msg["Cc"] = Address("Ann Smith", addr_spec="ann@example.org")
    msg["Date"] = email.utils.format_datetime(datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc))
    msg["Message-ID"] = "<python-1@example.org>"
    msg.set_content("Hallo Welt — äöü\nZweite Zeile\nFrom here\n.\n")
    msg.add_attachment(bytes(range(256)) * 4, maintype="application", subtype="octet-stream",
                       filename="Résumé données.bin")
    msg.add_attachment("plain notes\n", filename="notes.txt")
    box = mailbox.Maildir(sys.argv[1], factory=None, create=False)
    print(box.add(msg))


if __name__ == "__main__":
    main()
