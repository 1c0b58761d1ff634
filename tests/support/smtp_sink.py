#!/usr/bin/python3
"""A local SMTP sink for the tests: Debian's aiosmtpd takes every mail on 127.0.0.1 and writes
each as one JSON file (to, from, subject, text, headers) into OUT, parsed by Python's email
package, so a test reads what a mail program would show and a malformed mail fails there.

    smtp_sink.py OUT        prints "listening on PORT" (a free port) once it accepts mail
"""
import asyncio
import email
import email.policy
import json
import os
import sys

from aiosmtpd.smtp import SMTP


class WriteJson:
    def __init__(self, out):
        self.out = out
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "to": str(message["To"] or ""),
            "from": str(message["From"] or ""),
            "reply_to": str(message["Reply-To"] or ""),
            "subject": str(message["Subject"] or ""),
            "text": body.get_content() if body is not None else "",
            "headers": {key: str(value) for key, value in message.items()},
        }
        self.count += 1
        name = os.path.join(self.out, "%04d.json" % self.count)
        with open(name + ".partial", "w", encoding="utf-8") as file:
            json.dump(record, file, ensure_ascii=False)
        os.rename(name + ".partial", name)
        return "250 OK"


async def main(out):
    os.makedirs(out, exist_ok=True)
    handler = WriteJson(out)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(handler, enable_SMTPUTF8=True), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    print("listening on %d" % port, flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: smtp_sink.py OUT")
    try:
        asyncio.run(main(sys.argv[1]))
    except KeyboardInterrupt:
        pass
