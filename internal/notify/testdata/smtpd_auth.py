"""An SMTP server for TestSMTPAuth: Debian's aiosmtpd on loopback, requiring
STARTTLS and then authentication (PLAIN or LOGIN) with one user name and
password, delivering accepted messages to a maildir.

usage: smtpd_auth.py HOST PORT CERT KEY MAILDIR USER PASSWORD
"""
import signal
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import AuthResult, LoginPassword


def main():
    host, port, cert, key, maildir, user, password = sys.argv[1:8]

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login == user.encode()
              and auth_data.password == password.encode())
        return AuthResult(success=ok, handled=False)

    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    controller = Controller(
        Mailbox(maildir), hostname=host, port=int(port),
        tls_context=tls, require_starttls=True,
        authenticator=authenticator, auth_required=True, auth_require_tls=True)
    controller.start()
    print("ready", flush=True)
    signal.pause()  # until the test kills the process


if __name__ == "__main__":
    main()
