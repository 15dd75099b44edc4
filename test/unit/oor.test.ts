import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { configIssues } from "../support/config-issues";
import { planOorRouter } from "../../components/oor/plan";
import { OorKeys, renderOorConf, renderOorEnv } from "../../components/oor/render";
import { OOR_FIXTURES } from "./oor-fixtures";

function keysOf(plan: ReturnType<typeof planOorRouter>): OorKeys {
  return { mapServers: plan.mapServers.map((m) => String(m.key)), sites: plan.sites.map((s) => String(s.key)) };
}

/**
 * Checks the shape libconfuse parses in oor.conf: `key = value`, `name {` ... `}` blocks, and
 * `name = {` lists of comma-separated items, every block and list closed.
 */
function assertLibconfuseShape(text: string): void {
  const stack: ("block" | "list")[] = [];
  text.split("\n").forEach((raw, index) => {
    const line = raw.trim();
    const where = `line ${index + 1}: ${raw}`;
    if (line === "" || line.startsWith("#")) return;
    if (stack.at(-1) === "list") {
      if (line === "}") stack.pop();
      else expect(line, where).toMatch(/^[0-9A-Fa-f.:/]+,?$/);
      return;
    }
    if (/^[a-z0-9_-]+ \{$/.test(line)) stack.push("block");
    else if (/^[a-z0-9_-]+ = \{$/.test(line)) stack.push("list");
    else if (line === "}") expect(stack.pop(), where).toBe("block");
    else expect(line, where).toMatch(/^[a-z0-9_-]+ +=\s+\S+$/);
  });
  expect(stack).toEqual([]);
}

describe("oor.conf rendering", () => {
  it.each(Object.keys(OOR_FIXTURES))("%s: matches its golden file and libconfuse's shape", (name) => {
    const plan = planOorRouter(name, OOR_FIXTURES[name]);
    const text = renderOorConf(plan, keysOf(plan));
    expect(text).toBe(fs.readFileSync(path.join(__dirname, "golden", `oor-${name}.conf`), "utf8"));
    assertLibconfuseShape(text);
    expect(text).toContain(`operating-mode         = ${plan.mode}`);
  });

  it("maps every EID prefix to the RLOC address, never to an interface, and labels nothing IPv6 as ip_version 4", () => {
    const plan = planOorRouter("xtr", OOR_FIXTURES.xtr);
    const text = renderOorConf(plan, keysOf(plan));
    expect(text).not.toContain("rloc-iface");
    expect(text.match(/address  = 192\.0\.2\.11/g)).toHaveLength(2);
    expect(text).not.toContain("proxy-itrs");
  });

  it("names interfaces only through the address placeholder the start script resolves", () => {
    for (const name of ["ms", "rtr"]) {
      const plan = planOorRouter(name, OOR_FIXTURES[name]);
      expect(renderOorConf(plan, keysOf(plan))).toContain(`@IFACE_OF:${plan.rlocAddress}@`);
    }
  });
});

describe("env mode", () => {
  it("sets exactly the image's variables, prefixes plain (Debian's libconfuse keeps a backslash: 10.1.0.0\\/24 is no address to OOR)", () => {
    const plan = planOorRouter("xtr", { ...OOR_FIXTURES.xtr, config: "env" });
    expect(renderOorEnv(plan, keysOf(plan))).toEqual({
      DEBUG: "1",
      OPMODE: "xTR",
      IPMAPRESOLVER: "192.0.2.2",
      IPMAPSERVER: "192.0.2.2",
      KEYMAPSERVER: "site-a-key",
      IPPROXYETRV4: "192.0.2.3",
      IPPROXYETRV6: "2001:db8::3",
      IPV4EIDPREFFIX: "10.1.0.0/24",
      IPV6EIDPREFFIX: "fd00:1::/64",
    });
  });

  it("marks what is unset with '-', as the image does", () => {
    const plan = planOorRouter("mn", { ...OOR_FIXTURES.mn, config: "env" });
    const env = renderOorEnv(plan, keysOf(plan));
    expect([env.IPPROXYETRV4, env.IPPROXYETRV6, env.IPV6EIDPREFFIX]).toEqual(["-", "-", "-"]);
    expect(env.IPV4EIDPREFFIX).toBe("10.9.0.1/32");
  });
});

describe("planOorRouter validation", () => {
  const issuesOf = (options: any): string => configIssues(() => planOorRouter("oor", options)).join("\n");

  it.each([
    [{ ...OOR_FIXTURES.xtr, mode: "PxTR" }, /mode: must be one of xTR, MS, RTR, MN \(got "PxTR"\)/],
    [{ ...OOR_FIXTURES.ms, debug: 0 }, /debug: must be 1, 2 or 3 \(OOR logs registrations from 1 up; the lab's probe reads them\)/],
    [
      { ...OOR_FIXTURES.xtr, eidPrefixes: [{ prefix: "10.1.0.5/24" }] },
      /eidPrefixes\[0\]\.prefix: "10.1.0.5\/24" is not a prefix \(did you mean 10.1.0.0\/24\?\)/,
    ],
    [{ ...OOR_FIXTURES.xtr, eidPrefixes: [{ prefix: "site-a" }] }, /eidPrefixes\[0\]\.prefix: "site-a" is not an IPv4 or IPv6 prefix/],
    [{ ...OOR_FIXTURES.ms, sites: [] }, /sites: a map server needs at least one lisp site/],
    [{ ...OOR_FIXTURES.xtr, mapServers: [] }, /mapServers: an xTR registers with a map server/],
    [{ ...OOR_FIXTURES.xtr, mapServers: [{ address: "192.0.2.2" }] }, /mapServers\[0\]\.key: must be set \(a Pulumi secret\)/],
    [{ ...OOR_FIXTURES.xtr, rlocAddress: "198.51.100.7" }, /rlocAddress: "198.51.100.7" is outside the RLOC subnet 192.0.2.0\/24/],
    [{ ...OOR_FIXTURES.ms, config: "env" }, /config: "env" configures only xTR and MN/],
    [
      { ...OOR_FIXTURES.rtr, eidPrefixes: [{ prefix: "10.1.0.0/24" }] },
      /eidPrefixes: EID prefixes are registered by an xTR or MN, not a RTR/,
    ],
  ])("rejects %#, naming the field", (options, expected) => {
    expect(issuesOf(options)).toMatch(expected);
  });
});

describe("map-server and site keys oor.conf cannot hold (issue 13, defect 6)", () => {
  // A newline would add lines (another map resolver); `#` starts a comment; a space, quote, `=`,
  // `,` or brace ends libconfuse's unquoted string; `${` expands; `/`, `&` and `\` break the image's sed.
  const BAD_KEYS = [
    "key-one\nmap-resolver = { 203.0.113.66 }",
    "key#tail8",
    "key tail8",
    'key"tail8',
    "key=tail8",
    "key,tail8",
    "key{tail8}",
    "key${HOME}",
    "key/tail8",
    "key&tail8",
    "key\\tail8",
    "kéy-tail8",
    "key\ttail8",
  ];

  it.each(BAD_KEYS.map((key) => [JSON.stringify(key), key]))("refuses %s at plan time, naming the field, never the key", (_, key) => {
    const xtr = configIssues(() => planOorRouter("xtr", { ...OOR_FIXTURES.xtr, mapServers: [{ address: "192.0.2.2", key }] }));
    expect(xtr).toEqual([
      `mapServers[0].key: must be letters, digits and - _ . : ~ ! % ^ only (oor.conf holds the key unquoted) (secret, not shown)`,
    ]);
    const ms = configIssues(() =>
      planOorRouter("ms", { ...OOR_FIXTURES.ms, sites: [OOR_FIXTURES.ms.sites![0], { eidPrefix: "10.2.0.0/24", key }] }),
    );
    expect(ms).toEqual([
      `sites[1].key: must be letters, digits and - _ . : ~ ! % ^ only (oor.conf holds the key unquoted) (secret, not shown)`,
    ]);
  });

  it.each(BAD_KEYS.map((key) => [JSON.stringify(key), key]))("refuses %s when rendering a key that arrived as an Output", (_, key) => {
    const plan = planOorRouter("ms", OOR_FIXTURES.ms);
    expect(configIssues(() => renderOorConf(plan, { mapServers: [], sites: ["site-a-key", key] }))).toEqual([
      "sites[1].key: must be letters, digits and - _ . : ~ ! % ^ only (oor.conf holds the key unquoted) (secret, not shown)",
    ]);
  });

  it("renders a key of every character it accepts as one line libconfuse reads whole", () => {
    const key = "Az09._~:!%^-key";
    const plan = planOorRouter("xtr", { ...OOR_FIXTURES.xtr, mapServers: [{ address: "192.0.2.2", key }] });
    const text = renderOorConf(plan, keysOf(plan));
    assertLibconfuseShape(text);
    expect(text.split("\n").filter((line) => line.includes(key))).toEqual([`    key         = ${key}`]);
    expect(
      renderOorEnv(planOorRouter("xtr", { ...OOR_FIXTURES.xtr, config: "env", mapServers: [{ address: "192.0.2.2", key }] }), {
        mapServers: [key],
        sites: [],
      }).KEYMAPSERVER,
    ).toBe(key);
  });
});
