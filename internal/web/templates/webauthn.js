// Confide passkeys: runs the WebAuthn ceremonies of the sign-in and
// enrollment pages against the JSON API (/api/v1/auth/webauthn/...).
// Self-hosted, no dependencies, no inline script: the pages load it with
// Content-Security-Policy script-src 'self'. Binary members of the options
// and responses travel as base64url.
(function () {
	"use strict";

	function fromB64url(s) {
		s = s.replace(/-/g, "+").replace(/_/g, "/");
		while (s.length % 4) s += "=";
		var bin = atob(s), out = new Uint8Array(bin.length);
		for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
		return out.buffer;
	}

	function toB64url(buf) {
		var bytes = new Uint8Array(buf), bin = "";
		for (var i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
		return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
	}

	function say(msg, isError) {
		var el = document.getElementById("passkey-status");
		if (!el) return;
		el.textContent = msg;
		el.className = isError ? "error" : "notice";
	}

	async function post(url, body) {
		var init = { method: "POST", credentials: "same-origin", headers: {} };
		if (body !== undefined) {
			init.headers["Content-Type"] = "application/json";
			init.body = JSON.stringify(body);
		}
		var res = await fetch(url, init);
		var data = {};
		try { data = await res.json(); } catch (e) { data = {}; }
		if (!res.ok) {
			var err = new Error((data.error && data.error.message) || ("the server answered " + res.status));
			err.status = res.status;
			err.code = data.error && data.error.code;
			throw err;
		}
		return data;
	}

	function descriptors(list) {
		return (list || []).map(function (c) {
			var d = { type: c.type, id: fromB64url(c.id) };
			if (c.transports) d.transports = c.transports;
			return d;
		});
	}

	function creationOptions(pk) {
		pk.challenge = fromB64url(pk.challenge);
		pk.user.id = fromB64url(pk.user.id);
		pk.excludeCredentials = descriptors(pk.excludeCredentials);
		return pk;
	}

	function requestOptions(pk) {
		pk.challenge = fromB64url(pk.challenge);
		pk.allowCredentials = descriptors(pk.allowCredentials);
		return pk;
	}

	function credentialJSON(cred) {
		var r = cred.response;
		var out = {
			id: cred.id,
			rawId: toB64url(cred.rawId),
			type: cred.type,
			clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
			response: { clientDataJSON: toB64url(r.clientDataJSON) }
		};
		if (cred.authenticatorAttachment) out.authenticatorAttachment = cred.authenticatorAttachment;
		if (r.attestationObject) {
			out.response.attestationObject = toB64url(r.attestationObject);
			if (r.getTransports) out.response.transports = r.getTransports();
		} else {
			out.response.authenticatorData = toB64url(r.authenticatorData);
			out.response.signature = toB64url(r.signature);
			if (r.userHandle) out.response.userHandle = toB64url(r.userHandle);
		}
		return out;
	}

	function explain(e) {
		if (e && e.name === "NotAllowedError") return "The passkey prompt was cancelled or timed out. Try again.";
		if (e && e.name === "InvalidStateError") return "This authenticator is already registered.";
		return (e && e.message) || "Something went wrong.";
	}

	async function register(button) {
		button.disabled = true;
		say("Follow your browser's prompt to create a passkey…", false);
		try {
			var opts = await post("/api/v1/auth/webauthn/register/begin");
			var cred = await navigator.credentials.create({ publicKey: creationOptions(opts.publicKey) });
			var nameField = document.getElementById("passkey-name");
			var name = nameField ? nameField.value : "";
			var pk = await post("/api/v1/auth/webauthn/register/finish", { name: name, credential: credentialJSON(cred) });
			say("Passkey \u201c" + pk.name + "\u201d added.", false);
			var next = button.getAttribute("data-next");
			if (next) {
				var form = document.getElementById(next);
				if (form) form.hidden = false;
			}
			var reload = button.getAttribute("data-reload");
			if (reload) window.location.assign(reload);
		} catch (e) {
			say(explain(e), true);
			if (e.code === "reauth_required") {
				var confirm = document.getElementById("reauth");
				if (confirm) confirm.open = true;
			}
		} finally {
			button.disabled = false;
		}
	}

	// reauth confirms a signed-in user with their password and a passkey,
	// for the account page's sensitive changes.
	async function reauth(button) {
		var password = document.getElementById("reauth-password");
		if (!password || !password.value) {
			say("Enter your password first.", true);
			return;
		}
		button.disabled = true;
		say("Follow your browser's prompt to use your passkey…", false);
		try {
			var opts = await post("/api/v1/auth/reauth/webauthn/begin");
			var cred = await navigator.credentials.get({ publicKey: requestOptions(opts.publicKey) });
			await post("/api/v1/auth/reauth/webauthn/finish", { password: password.value, credential: credentialJSON(cred) });
			window.location.assign("/account?confirmed=1");
		} catch (e) {
			say(explain(e), true);
			button.disabled = false;
		}
	}

	async function signIn(button) {
		button.disabled = true;
		say("Follow your browser's prompt to use your passkey…", false);
		try {
			var opts = await post("/api/v1/auth/webauthn/login/begin");
			var cred = await navigator.credentials.get({ publicKey: requestOptions(opts.publicKey) });
			await post("/api/v1/auth/webauthn/login/finish", { credential: credentialJSON(cred) });
			window.location.assign(button.getAttribute("data-next") || "/account");
		} catch (e) {
			if (e.status === 401 && /sign in again/.test(e.message)) {
				window.location.assign("/login?ended=1");
				return;
			}
			say(explain(e), true);
			button.disabled = false;
		}
	}

	function init() {
		var supported = window.PublicKeyCredential && navigator.credentials;
		var reg = document.getElementById("passkey-register");
		var login = document.getElementById("passkey-login");
		var confirm = document.getElementById("passkey-reauth");
		[reg, login, confirm].forEach(function (b) {
			if (!b) return;
			if (!supported) {
				b.disabled = true;
				say("This browser does not support passkeys here (they need HTTPS or localhost).", true);
				return;
			}
			b.hidden = false;
		});
		if (reg) reg.addEventListener("click", function () { register(reg); });
		if (login) login.addEventListener("click", function () { signIn(login); });
		if (confirm) confirm.addEventListener("click", function () { reauth(confirm); });
	}

	if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
	else init();
})();
