# shellcheck shell=bash
# shellcheck disable=SC2016 # single-quoted scripts and SQL are expanded inside the containers, on purpose
# Tests of the Node.js base image, for tools/images/test-base-images.sh (sourced by it).

node_run() { docker run --rm --network none "$@"; }

test_node_base() {
  local image=$1
  log "node base: $image"

  check "node base: node -v is Node 24" \
    expect_match "$(node_run "$image" node -v)" '^v24\.[0-9]+\.[0-9]+$'

  check "node base: default command is node" \
    expect_eq "$(docker image inspect -f '{{json .Config.Cmd}}' "$image")" '["node"]'

  check "node base: NODE_VERSION matches the node binary" \
    expect_eq "$(node_run "$image" node -p 'process.env.NODE_VERSION === process.versions.node')" true

  # The whole point of the image: node and the files it reads, no shell, no package manager, no perl, no npm.
  check "node base: node is the only executable (no shell, apt, dpkg, perl or npm)" \
    expect_eq "$(node_run "$image" node -e '
      const fs = require("node:fs"), path = require("node:path");
      const found = [];
      (function walk(dir) {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
          const file = path.join(dir, entry.name);
          if (entry.isDirectory()) { if (!["/proc", "/sys", "/dev"].includes(file)) walk(file); }
          // (/.dockerenv: an empty file the engine adds to every container)
          else if (entry.isFile() && fs.statSync(file).mode & 0o111 && !/\.so(\.[0-9]+)*$/.test(file) &&
            file !== "/.dockerenv") found.push(file);
        }
      })("/");
      console.log(found.join(" "));')" /usr/bin/node
  # Native addons linked against an older glibc (Next.js' SWC, which live update's `next dev` loads) name its stubs.
  check "node base: glibc's libdl.so.2 and libpthread.so.0 are there for native addons" \
    expect_eq "$(node_run "$image" node -p '["libdl.so.2", "libpthread.so.0"].filter((lib) =>
      !require("node:fs").existsSync("/usr/lib/x86_64-linux-gnu/" + lib)).join(" ") || "both"')" both
  check "node base: docker run … sh fails (there is no shell)" \
    expect_fails node_run "$image" sh -c true

  check "node base: runs as the numeric user 10001:10001, named app in /etc/passwd" \
    expect_eq "$(node_run --user 10001:10001 "$image" node -p \
      'process.getuid() + ":" + process.getgid() + " " + require("node:os").userInfo().username')" "10001:10001 app"

  check "node base: read-only root file system with a tmpfs /tmp, as 10001" \
    node_run --read-only --tmpfs /tmp --user 10001:10001 "$image" node -e '
      const fs = require("node:fs");
      fs.writeFileSync("/tmp/probe", "ok");
      if (fs.readFileSync("/tmp/probe", "utf8") !== "ok") process.exit(1);
      try { fs.writeFileSync("/probe", "x"); console.error("root fs is writable"); process.exit(1); }
      catch (e) { if (e.code !== "EROFS") throw e; }'

  check "node base: the system CA store has > 100 certificates" \
    expect_eq "$(node_run "$image" node -p 'require("node:tls").getCACertificates("system").length > 100')" true

  check "node base: time zone data (TZ=America/New_York is UTC-5 in January; /etc/localtime is UTC)" \
    expect_eq "$(node_run -e TZ=America/New_York "$image" node -p 'new Date(0).getTimezoneOffset()') $(node_run "$image" node -p 'new Date(0).getTimezoneOffset()')" "300 0"

  check "node base: Intl formats English and offers no other locale (English-only ICU data)" \
    expect_eq "$(node_run "$image" node -p '[
      new Intl.DateTimeFormat("en-GB", { dateStyle: "long", timeZone: "Asia/Tokyo" }).format(0),
      new Intl.NumberFormat("en-US", { style: "currency", currency: "EUR" }).format(1234.5),
      Intl.DateTimeFormat.supportedLocalesOf(["de", "en-GB"]).join(),
      new Intl.Segmenter("en", { granularity: "word" }).segment("你好世界").containing(0).segment,
    ].join(" | ")')" "1 January 1970 | €1,234.50 | en-GB | 你好"

  check "node base: global fetch and http work (health-check style request)" \
    node_run "$image" node -e '
      const http = require("node:http");
      const server = http.createServer((req, res) => res.end(JSON.stringify({ status: "ok" })));
      server.listen(0, "127.0.0.1", async () => {
        const res = await fetch(`http://127.0.0.1:${server.address().port}/health`);
        const body = await res.json();
        server.close();
        process.exit(res.status === 200 && body.status === "ok" ? 0 : 1);
      });'

  # TLS: a server certificate signed by a private CA verifies once that CA is added with NODE_EXTRA_CA_CERTS (the
  # way to add one without a shell or update-ca-certificates), and fails without it.
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=todo-images-test CA' \
    -keyout "$WORK/ca.key" -out "$WORK/ca.crt" >/dev/null 2>&1
  openssl req -newkey rsa:2048 -nodes -subj '/CN=localhost' -keyout "$WORK/server.key" -out "$WORK/server.csr" \
    >/dev/null 2>&1
  printf 'subjectAltName=DNS:localhost\n' >"$WORK/san.ext"
  openssl x509 -req -in "$WORK/server.csr" -CA "$WORK/ca.crt" -CAkey "$WORK/ca.key" -CAcreateserial -days 2 \
    -extfile "$WORK/san.ext" -out "$WORK/server.crt" >/dev/null 2>&1
  chmod 644 "$WORK"/*
  local tls_script='
    const https = require("node:https");
    const fs = require("node:fs");
    const server = https.createServer(
      { key: fs.readFileSync("/certs/server.key"), cert: fs.readFileSync("/certs/server.crt") },
      (req, res) => res.end("ok"));
    server.listen(0, "127.0.0.1", () => {
      https.get({ host: "127.0.0.1", servername: "localhost", port: server.address().port, path: "/" }, (res) => {
        res.resume();
        res.on("end", () => { server.close(); console.log("verified"); });
      }).on("error", (err) => { server.close(); console.log(err.code); });
    });'
  check "node base: TLS verification trusts a private CA given in NODE_EXTRA_CA_CERTS" \
    expect_eq "$(node_run -v "$WORK:/certs:ro" -e NODE_EXTRA_CA_CERTS=/certs/ca.crt "$image" node -e "$tls_script")" \
    verified
  check "node base: TLS verification rejects a certificate from an unknown CA" \
    expect_eq "$(node_run -v "$WORK:/certs:ro" "$image" node -e "$tls_script")" UNABLE_TO_VERIFY_LEAF_SIGNATURE

  check "node base: /var/lib/dpkg/status.d names the Debian packages inside (for image scanners)" \
    expect_eq "$(node_run "$image" node -p '
      const names = require("node:fs").readdirSync("/var/lib/dpkg/status.d");
      ["nodejs", "libc6", "ca-certificates", "tzdata"].filter((name) => names.includes(name)).join()')" \
    nodejs,libc6,ca-certificates,tzdata
}
