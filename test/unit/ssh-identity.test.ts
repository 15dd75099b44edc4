/**
 * The key files an ssh:// site's Docker provider points at must be readable by their owner only,
 * also when the folder or the files were already there with looser modes (mkdir's and
 * writeFile's modes apply only to what they create); the folder is never followed through a symbolic
 * link, and identity files no run has written for 6 hours are removed (issue 20, point 7). Each test
 * writes into its own temp folder.
 */
import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DockerHostAddress } from "../../components/host/docker-host-url";
import { defaultSshIdentityDir, materializeSshIdentity, writeSshIdentity } from "../../components/host/ssh-identity";

const ADDRESS: DockerHostAddress = { scheme: "ssh", host: "site-a", user: "lab", port: 2222 };
const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKq7c1Q0Zb7l3cWm6V0Q9a7w5n8o2y1Jx4hTzB9dE3fG";
const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nnot-a-real-key\n-----END OPENSSH PRIVATE KEY-----\n";

const mode = (p: string) => fs.statSync(p).mode & 0o777;
const ensureDir = (p: string) => fs.mkdirSync(p, { recursive: true, mode: 0o700 });
const optValue = (opts: string[], flag: string, prefix = "") =>
  opts.map((o, i) => (opts[i - 1] === flag && o.startsWith(prefix) ? o.slice(prefix.length) : undefined)).find((v) => v !== undefined)!;

describe("ssh identity files", () => {
  let base: string;
  let dir: string;
  beforeEach(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), "netlabs-ssh-identity-"));
    dir = path.join(base, "ssh");
  });
  afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

  it("creates the folder 0700 and the key and known_hosts files 0600, and the ssh options use them", () => {
    const opts = writeSshIdentity(dir, ADDRESS, HOST_KEY, KEY);
    const keyFile = optValue(opts, "-i");
    const knownHosts = optValue(opts, "-o", "UserKnownHostsFile=");
    expect(path.dirname(keyFile)).toBe(dir);
    expect(path.dirname(knownHosts)).toBe(dir);
    expect(mode(dir)).toBe(0o700);
    expect(mode(keyFile)).toBe(0o600);
    expect(mode(knownHosts)).toBe(0o600);
    expect(fs.readFileSync(keyFile, "utf8")).toBe(KEY);
    expect(fs.readFileSync(knownHosts, "utf8")).toBe(
      "[site-a]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKq7c1Q0Zb7l3cWm6V0Q9a7w5n8o2y1Jx4hTzB9dE3fG\n",
    );
    expect(opts).toContain("StrictHostKeyChecking=yes");
  });

  it("tightens an existing folder that others can read to 0700", () => {
    fs.mkdirSync(dir, { mode: 0o755 });
    fs.chmodSync(dir, 0o755);
    writeSshIdentity(dir, ADDRESS, HOST_KEY, KEY);
    expect(mode(dir)).toBe(0o700);
  });

  it("tightens existing key and known_hosts files that others can read to 0600, and rewrites their content", () => {
    const opts = writeSshIdentity(dir, ADDRESS, HOST_KEY, KEY);
    const keyFile = optValue(opts, "-i");
    const knownHosts = optValue(opts, "-o", "UserKnownHostsFile=");
    fs.chmodSync(keyFile, 0o644);
    fs.chmodSync(knownHosts, 0o666);
    fs.writeFileSync(keyFile, "stale and longer than the key itself ".repeat(10));
    expect(writeSshIdentity(dir, ADDRESS, HOST_KEY, KEY)).toEqual(opts);
    expect(mode(keyFile)).toBe(0o600);
    expect(mode(knownHosts)).toBe(0o600);
    expect(fs.readFileSync(keyFile, "utf8")).toBe(KEY);
  });

  it("refuses a symbolic link in a key file's place instead of writing through it", () => {
    const opts = writeSshIdentity(dir, ADDRESS, HOST_KEY, KEY);
    const keyFile = optValue(opts, "-i");
    const elsewhere = path.join(base, "elsewhere");
    fs.writeFileSync(elsewhere, "untouched");
    fs.rmSync(keyFile);
    fs.symlinkSync(elsewhere, keyFile);
    expect(() => writeSshIdentity(dir, ADDRESS, HOST_KEY, KEY)).toThrow(/ELOOP/);
    expect(fs.readFileSync(elsewhere, "utf8")).toBe("untouched");
  });

  it("refuses a folder that is a symbolic link, writing nothing where it points (issue 20, point 7)", () => {
    const elsewhere = path.join(base, "elsewhere");
    fs.mkdirSync(elsewhere, { mode: 0o700 });
    fs.symlinkSync(elsewhere, dir);
    expect(() => writeSshIdentity(dir, ADDRESS, HOST_KEY, KEY)).toThrow(/is a symbolic link: refused/);
    expect(fs.readdirSync(elsewhere)).toEqual([]);
  });

  it("refuses a folder whose parent others can write to (they could swap the folder)", () => {
    fs.chmodSync(base, 0o777);
    expect(() => writeSshIdentity(dir, ADDRESS, HOST_KEY, KEY)).toThrow(/can be written by other users: refused/);
    expect(fs.existsSync(dir)).toBe(false);
  });

  it("creates a missing parent owner-only too", () => {
    const nested = path.join(base, "home", ".docker-netlabs", "ssh");
    writeSshIdentity(nested, ADDRESS, HOST_KEY, KEY);
    expect(mode(path.dirname(nested))).toBe(0o700);
    expect(mode(nested)).toBe(0o700);
  });

  it("refuses to write a key through a second hard link to its file", () => {
    const opts = writeSshIdentity(dir, ADDRESS, HOST_KEY, KEY);
    const keyFile = optValue(opts, "-i");
    const other = path.join(base, "hard-link");
    fs.linkSync(keyFile, other);
    expect(() => writeSshIdentity(dir, ADDRESS, HOST_KEY, KEY)).toThrow(/not a plain file of this user's with one link: refused/);
  });

  it("removes the identity files no run has written for 6 hours (a rotated key's), keeping its own, fresh ones and others' files", () => {
    ensureDir(dir);
    const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3600_000);
    const files = {
      rotated: "00000000000000aa.key",
      rotatedHosts: "00000000000000aa.known_hosts",
      inUse: "00000000000000bb.key",
      notOurs: "notes.txt",
    };
    for (const name of Object.values(files)) fs.writeFileSync(path.join(dir, name), "x", { mode: 0o600 });
    for (const name of [files.rotated, files.rotatedHosts, files.notOurs]) fs.utimesSync(path.join(dir, name), hoursAgo(7), hoursAgo(7));
    fs.utimesSync(path.join(dir, files.inUse), hoursAgo(5), hoursAgo(5));
    const opts = writeSshIdentity(dir, ADDRESS, HOST_KEY, KEY);
    const own = [optValue(opts, "-i"), optValue(opts, "-o", "UserKnownHostsFile=")].map((file) => path.basename(file));
    expect(fs.readdirSync(dir).sort()).toEqual([files.inUse, files.notOurs, ...own].sort());
    // A second run of the same identity long after keeps (and refreshes) its own files.
    for (const file of own) fs.utimesSync(path.join(dir, file), hoursAgo(30), hoursAgo(30));
    writeSshIdentity(dir, ADDRESS, HOST_KEY, KEY);
    expect(fs.readdirSync(dir)).toEqual(expect.arrayContaining(own));
    for (const file of own) expect(Date.now() - fs.statSync(path.join(dir, file)).mtimeMs).toBeLessThan(60_000);
  });

  it("materializeSshIdentity writes a secret key into the folder it is given; the default is ~/.docker-netlabs/ssh, read when called", async () => {
    const opts = await new Promise<string[]>((resolve) =>
      materializeSshIdentity(ADDRESS, { privateKey: pulumi.secret(KEY), hostKey: HOST_KEY }, dir).apply(resolve),
    );
    expect(mode(optValue(opts, "-i"))).toBe(0o600);
    expect(path.dirname(optValue(opts, "-i"))).toBe(dir);

    const home = process.env.HOME;
    try {
      process.env.HOME = base;
      expect(defaultSshIdentityDir()).toBe(path.join(base, ".docker-netlabs", "ssh"));
    } finally {
      process.env.HOME = home;
    }
  });
});
