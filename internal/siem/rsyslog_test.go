package siem_test

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// rsyslog is a real rsyslogd on loopback, started by a test, that writes
// every message from app "confide" to out, one line per message:
//
//	PRI|VERSION|TIMESTAMP|HOSTNAME|APP-NAME|PROCID|MSGID|STRUCTURED-DATA|MSG
type rsyslog struct {
	t       testing.TB
	dir     string
	conf    string
	out     string
	cmd     *exec.Cmd
	ports   rsyslogPorts
	caFile  string
	rsyslog string // path of rsyslogd
}

// rsyslogPorts are the listening ports; 0 leaves an input out.
type rsyslogPorts struct{ udp, tcp, tls int }

// needRsyslog returns the path of rsyslogd or skips the test.
func needRsyslog(t testing.TB) string {
	t.Helper()
	for _, p := range []string{"/usr/sbin/rsyslogd", "/sbin/rsyslogd"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("rsyslogd"); err == nil {
		return p
	}
	t.Skip("rsyslogd is not installed (apt-get install rsyslog rsyslog-gnutls); the syslog sink is tested against it")
	return ""
}

// newRsyslog writes a configuration for ports (and a test CA and server
// certificate for 127.0.0.1 when ports.tls is set) without starting it.
func newRsyslog(t testing.TB, ports rsyslogPorts) *rsyslog {
	t.Helper()
	bin := needRsyslog(t)
	if ports.tls != 0 {
		if _, err := os.Stat("/usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_gtls.so"); err != nil {
			if m, _ := filepath.Glob("/usr/lib/*/rsyslog/lmnsd_gtls.so"); len(m) == 0 {
				t.Skip("rsyslog's TLS driver is not installed (apt-get install rsyslog-gnutls)")
			}
		}
	}
	dir := t.TempDir()
	r := &rsyslog{t: t, dir: dir, conf: filepath.Join(dir, "rsyslog.conf"), out: filepath.Join(dir, "out.log"), ports: ports, rsyslog: bin}
	var conf strings.Builder
	global := fmt.Sprintf(`global(workDirectory=%q`, dir)
	if ports.tls != 0 {
		r.caFile = writeTestPKI(t, dir)
		global += fmt.Sprintf(` defaultNetstreamDriverCAFile=%q defaultNetstreamDriverCertFile=%q defaultNetstreamDriverKeyFile=%q`,
			r.caFile, filepath.Join(dir, "server.pem"), filepath.Join(dir, "server.key"))
	}
	conf.WriteString(global + ")\n")
	if ports.udp != 0 {
		fmt.Fprintf(&conf, "module(load=\"imudp\")\ninput(type=\"imudp\" address=\"127.0.0.1\" port=\"%d\")\n", ports.udp)
	}
	if ports.tcp != 0 {
		fmt.Fprintf(&conf, "module(load=\"imptcp\")\ninput(type=\"imptcp\" address=\"127.0.0.1\" port=\"%d\")\n", ports.tcp)
	}
	if ports.tls != 0 {
		fmt.Fprintf(&conf, "module(load=\"imtcp\" streamDriver.name=\"gtls\" streamDriver.mode=\"1\" streamDriver.authMode=\"anon\")\n"+
			"input(type=\"imtcp\" address=\"127.0.0.1\" port=\"%d\")\n", ports.tls)
	}
	fmt.Fprintf(&conf, `template(name="fields" type="string"
  string="%%pri%%|%%protocol-version%%|%%timereported:::date-rfc3339%%|%%hostname%%|%%app-name%%|%%procid%%|%%msgid%%|%%structured-data%%|%%msg%%\n")
if $app-name == "confide" then action(type="omfile" file=%q template="fields")
if $app-name == "probe" then action(type="omfile" file=%q template="fields")
`, r.out, filepath.Join(dir, "probe.log"))
	if err := os.WriteFile(r.conf, []byte(conf.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "-N1", "-f", r.conf).CombinedOutput(); err != nil {
		t.Fatalf("rsyslogd rejects the test configuration: %v\n%s", err, out)
	}
	return r
}

// start runs rsyslogd in the foreground and waits until every input
// answers; stop (or the end of the test) ends it.
func (r *rsyslog) start() {
	t := r.t
	t.Helper()
	r.cmd = exec.Command(r.rsyslog, "-n", "-f", r.conf, "-i", filepath.Join(r.dir, "rsyslogd.pid"))
	// rsyslogd's own complaints (the readiness probes below end TLS
	// handshakes early) go to a file, shown if the test fails.
	logFile, err := os.OpenFile(filepath.Join(r.dir, "rsyslogd.log"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	r.cmd.Stdout, r.cmd.Stderr = logFile, logFile
	if err := r.cmd.Start(); err != nil {
		t.Fatalf("start rsyslogd: %v", err)
	}
	t.Cleanup(func() {
		r.stop()
		if t.Failed() {
			out, _ := os.ReadFile(filepath.Join(r.dir, "rsyslogd.log"))
			t.Logf("rsyslogd output:\n%s", out)
		}
	})
	for _, port := range []int{r.ports.tcp, r.ports.tls} {
		if port == 0 {
			continue
		}
		eventually(t, fmt.Sprintf("rsyslogd listening on port %d", port), func() bool {
			c, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
			if err == nil {
				c.Close()
			}
			return err == nil
		})
	}
	if r.ports.udp != 0 {
		// UDP has no handshake: send probes until one is written.
		probe := filepath.Join(r.dir, "probe.log")
		c, err := net.Dial("udp", net.JoinHostPort("127.0.0.1", strconv.Itoa(r.ports.udp)))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		eventually(t, "rsyslogd receiving UDP", func() bool {
			c.Write([]byte("<14>1 2025-01-01T00:00:00Z h probe - - - ready"))
			time.Sleep(20 * time.Millisecond)
			fi, err := os.Stat(probe)
			return err == nil && fi.Size() > 0
		})
	}
}

// stop ends rsyslogd (SIGTERM) and waits for it to exit.
func (r *rsyslog) stop() {
	if r.cmd == nil {
		return
	}
	r.cmd.Process.Signal(syscall.SIGTERM)
	r.cmd.Wait()
	r.cmd = nil
}

// line is one message as rsyslog parsed it.
type line struct {
	pri, version, timestamp, hostname, app, procID, msgID, sd, msg string
}

// lines returns the messages written so far.
func (r *rsyslog) lines() []line {
	f, err := os.Open(r.out)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		r.t.Fatal(err)
	}
	defer f.Close()
	var out []line
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		p := strings.SplitN(sc.Text(), "|", 9)
		if len(p) != 9 {
			r.t.Fatalf("unexpected output line %q", sc.Text())
		}
		out = append(out, line{p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8]})
	}
	return out
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t testing.TB, network string) int {
	t.Helper()
	if network == "udp" {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return c.LocalAddr().(*net.UDPAddr).Port
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// writeTestPKI writes a test CA (ca.pem) and a server certificate for
// 127.0.0.1 signed by it (server.pem, server.key) into dir, and returns
// the CA file.
func writeTestPKI(t testing.TB, dir string) string {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Confide test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	srvKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	srvTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames: []string{"localhost"}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, ca, &srvKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(srvKey)
	if err != nil {
		t.Fatal(err)
	}
	for name, block := range map[string]*pem.Block{
		"ca.pem":     {Type: "CERTIFICATE", Bytes: caDER},
		"server.pem": {Type: "CERTIFICATE", Bytes: srvDER},
		"server.key": {Type: "PRIVATE KEY", Bytes: keyDER},
	} {
		if err := os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "ca.pem")
}
