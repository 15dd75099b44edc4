/**
 * The ssh options a stack may add for an ssh:// host (`sshOpts`), checked against an allow-list:
 * every connection the provider, the probes, the readiness gate and the DHCP lease open runs `ssh`
 * with them, so an option that loads other configuration (-F), runs a local command (ProxyCommand,
 * KnownHostsCommand, LocalCommand) or weakens host key checking (StrictHostKeyChecking=no, =false,
 * =accept-new, UserKnownHostsFile=/dev/null, UpdateHostKeys, VerifyHostKeyDNS) would apply to all
 * of them. ssh reads `-o Key=value`, `-oKey=value`, `Key value` and `Key = value` alike, keywords in
 * any case: all forms are read here the same way. Port and user belong in the host URL, where the
 * host check and the known_hosts line read them too. Pure.
 */

/** One option as ssh would read it: its keyword (as written) and value, and the sshOpts element that holds it. */
export interface SshOption {
  /** Index in sshOpts of the element holding the keyword or value (the one an error points at). */
  index: number;
  keyword: string;
  value: string;
}

export interface SshOptionIssue {
  index: number;
  message: string;
}

const YES_NO = /^(yes|no)$/i;
const SECONDS = /^\d{1,5}$/;
/** A jump host as ProxyJump takes it: [user@]host[:port] or ssh://[user@]host[:port], comma-separated, none starting with '-'. */
const JUMP_HOST = /^(?:ssh:\/\/)?(?:[A-Za-z0-9._][A-Za-z0-9._-]*@)?(?:[A-Za-z0-9][A-Za-z0-9.-]*|\[[0-9a-fA-F:]+\])(?::\d{1,5})?$/;

interface OptionRule {
  /** What a valid value looks like, said in an error. */
  expects: string;
  valid: (value: string) => boolean;
  /** The host check (ssh2) does not follow it: with sshPrivateKey it would check another path than the provider uses. */
  hostCheckCannotFollow?: boolean;
}

const notEmpty = (value: string) => value.trim() !== "" && !value.startsWith("-");

/** The options known to be safe: they tune timeouts, keys and logging, never which hosts are trusted. */
const SAFE_OPTIONS: Record<string, OptionRule> = {
  ConnectTimeout: { expects: "seconds", valid: (v) => SECONDS.test(v) },
  ConnectionAttempts: { expects: "a count", valid: (v) => SECONDS.test(v) },
  ServerAliveInterval: { expects: "seconds", valid: (v) => SECONDS.test(v) },
  ServerAliveCountMax: { expects: "a count", valid: (v) => SECONDS.test(v) },
  TCPKeepAlive: { expects: "yes or no", valid: (v) => YES_NO.test(v) },
  BatchMode: { expects: "yes or no", valid: (v) => YES_NO.test(v) },
  Compression: { expects: "yes or no", valid: (v) => YES_NO.test(v) },
  CheckHostIP: { expects: "yes or no", valid: (v) => YES_NO.test(v) },
  IdentitiesOnly: { expects: "yes or no", valid: (v) => YES_NO.test(v) },
  IdentityFile: { expects: "a key file", valid: notEmpty },
  IdentityAgent: { expects: "an agent socket, SSH_AUTH_SOCK or none", valid: notEmpty },
  LogLevel: {
    expects: "QUIET, FATAL, ERROR, INFO, VERBOSE or DEBUG1-3",
    valid: (v) => /^(quiet|fatal|error|info|verbose|debug[123]?)$/i.test(v),
  },
  // Only "yes": any other value (no, off, false, accept-new, ask) lets ssh trust a host it has not seen.
  StrictHostKeyChecking: { expects: "yes (hosts are always checked)", valid: (v) => /^yes$/i.test(v) },
  // Another known_hosts file is fine under strict checking; /dev/null only hides that none is given.
  UserKnownHostsFile: { expects: "a known_hosts file, not /dev/null", valid: (v) => notEmpty(v) && !/(^|\s)\/dev\/null(\s|$)/.test(v) },
  ProxyJump: {
    expects: "[user@]host[:port], comma-separated",
    valid: (v) => v.split(",").every((hop) => JUMP_HOST.test(hop.trim())),
    hostCheckCannotFollow: true,
  },
  AddressFamily: { expects: "any, inet or inet6", valid: (v) => /^(any|inet|inet6)$/i.test(v), hostCheckCannotFollow: true },
};

/** ssh reads keywords in any case. */
function safeRule(keyword: string): OptionRule | undefined {
  const canonical = Object.keys(SAFE_OPTIONS).find((name) => name.toLowerCase() === keyword.toLowerCase());
  return canonical ? SAFE_OPTIONS[canonical] : undefined;
}

/** Why an option known to be unsafe (or misplaced) is refused, by lowercase keyword. */
const REFUSED_OPTIONS: Record<string, string> = {
  port: "belongs in dockerHost (ssh://user@host:port), where the host check and the known_hosts line read it too",
  user: "belongs in dockerHost (ssh://user@host), where the host check reads it too",
  hostname: "changes the host ssh connects to behind dockerHost's back",
  proxycommand: "runs a local command: use ProxyJump",
  localcommand: "runs a local command",
  permitlocalcommand: "allows running a local command",
  knownhostscommand: "runs a local command to decide which host keys are trusted",
  globalknownhostsfile: "changes which host keys are trusted for every host: use UserKnownHostsFile",
  updatehostkeys: "lets the host add keys to the trusted ones",
  verifyhostkeydns: "trusts host keys found in DNS",
  include: "loads another configuration file, whose options are not checked",
  controlmaster: "reuses a connection whose host another ssh command checked",
  controlpath: "reuses a connection whose host another ssh command checked",
  controlpersist: "keeps a connection open for other ssh commands",
  forwardagent: "hands the local ssh agent to the Docker host",
  permitremoteopen: "opens forwarding",
  remotecommand: "replaces the command ssh runs on the host",
};

/** Flags ssh takes without an argument that are safe, and the option each stands for. */
const SAFE_FLAGS: Record<string, { keyword: string; value: string }> = {
  "-4": { keyword: "AddressFamily", value: "inet" },
  "-6": { keyword: "AddressFamily", value: "inet6" },
  "-C": { keyword: "Compression", value: "yes" },
  "-q": { keyword: "LogLevel", value: "QUIET" },
  "-v": { keyword: "LogLevel", value: "DEBUG1" },
  "-vv": { keyword: "LogLevel", value: "DEBUG2" },
  "-vvv": { keyword: "LogLevel", value: "DEBUG3" },
};

/** Flags with an argument that are safe, and the option each stands for. */
const SAFE_ARGUMENT_FLAGS: Record<string, string> = { "-i": "IdentityFile", "-J": "ProxyJump" };

const REFUSED_FLAGS: Record<string, string> = {
  "-F": "loads another ssh configuration file, whose options are not checked",
  "-G": "prints ssh's configuration instead of connecting",
  "-p": REFUSED_OPTIONS.port,
  "-l": REFUSED_OPTIONS.user,
  "-A": REFUSED_OPTIONS.forwardagent,
  "-M": REFUSED_OPTIONS.controlmaster,
  "-S": REFUSED_OPTIONS.controlpath,
  "-L": "opens a forwarding",
  "-R": "opens a forwarding",
  "-D": "opens a forwarding",
  "-W": "forwards the connection elsewhere",
  "-N": "runs no command on the host",
  "-f": "sends ssh to the background",
};

const REFUSED_FLAGS_WITH_ARGUMENT = ["-F", "-p", "-l", "-S", "-L", "-R", "-D", "-W"];

/** "Key=value", "Key value" or "Key = value", as ssh reads the argument of -o. */
function splitOption(text: string): { keyword: string; value: string } | undefined {
  const match = /^\s*([A-Za-z][A-Za-z0-9]*)\s*(?:=\s*|\s+)(.*?)\s*$/.exec(text);
  return match ? { keyword: match[1], value: match[2] } : undefined;
}

/**
 * Reads sshOpts as ssh reads its argv: `-o X`, `-oX`, flags with their arguments. Elements it
 * cannot read (an unknown or refused flag, a missing argument) come back as issues.
 */
export function readSshOptions(opts: readonly string[]): { options: SshOption[]; issues: SshOptionIssue[] } {
  const options: SshOption[] = [];
  const issues: SshOptionIssue[] = [];
  for (let index = 0; index < opts.length; index++) {
    const text = opts[index];
    const flag = text.slice(0, 2);
    if (flag === "-o" || flag in SAFE_ARGUMENT_FLAGS) {
      const attached = text.slice(2);
      const argumentIndex = attached.trim() === "" ? index + 1 : index;
      const argument = attached.trim() === "" ? opts[index + 1] : attached;
      if (argument === undefined) {
        issues.push({ index, message: `${flag} needs an argument after it` });
        continue;
      }
      index = argumentIndex;
      if (flag !== "-o") {
        options.push({ index, keyword: SAFE_ARGUMENT_FLAGS[flag], value: argument.trim() });
        continue;
      }
      const option = splitOption(argument);
      if (option) options.push({ index, ...option });
      else issues.push({ index, message: "is not an ssh option such as ServerAliveInterval=10" });
    } else if (text in SAFE_FLAGS) {
      options.push({ index, ...SAFE_FLAGS[text] });
    } else if (flag in REFUSED_FLAGS) {
      issues.push({ index, message: `ssh flag ${flag} is refused: it ${REFUSED_FLAGS[flag]}` });
      // Its argument (the next element when none is attached) is part of the same refusal.
      if (REFUSED_FLAGS_WITH_ARGUMENT.includes(flag) && text.length === 2) index++;
    } else {
      issues.push({ index, message: `is not among the ssh flags known to be safe (-o Key=value, ${safeFlagList()})` });
    }
  }
  return { options, issues };
}

function safeFlagList(): string {
  return [...Object.keys(SAFE_ARGUMENT_FLAGS).map((flag) => `${flag} <value>`), ...Object.keys(SAFE_FLAGS)].join(", ");
}

/** The keywords known to be safe, for errors. */
export function safeOptionList(): string {
  return Object.keys(SAFE_OPTIONS).join(", ");
}

/** Every element of sshOpts that is not known to be safe, each naming the option and why. */
export function sshOptionIssues(opts: readonly string[]): SshOptionIssue[] {
  const { options, issues } = readSshOptions(opts);
  for (const option of options) {
    const rule = safeRule(option.keyword);
    if (rule && !rule.valid(option.value)) {
      const trustsBlindly = /^(stricthostkeychecking|userknownhostsfile)$/i.test(option.keyword);
      issues.push({
        index: option.index,
        message: trustsBlindly
          ? `${option.keyword} must be ${rule.expects}: this value turns host key checking off (give the host's key in known_hosts, or sshHostKey, instead)`
          : `${option.keyword} must be ${rule.expects}`,
      });
    } else if (!rule) {
      const why = REFUSED_OPTIONS[option.keyword.toLowerCase()];
      issues.push({
        index: option.index,
        message: why
          ? `ssh option ${option.keyword} is refused: it ${why}`
          : `ssh option ${option.keyword} is not among those known to be safe (${safeOptionList()})`,
      });
    }
  }
  return issues.sort((a, b) => a.index - b.index);
}

/**
 * The options the host check (ssh2, with sshPrivateKey) cannot follow: with them the provider's
 * ssh would reach the host another way than the check does, so the check would prove nothing.
 */
export function hostCheckOptionIssues(opts: readonly string[]): SshOptionIssue[] {
  return readSshOptions(opts)
    .options.filter((option) => safeRule(option.keyword)?.hostCheckCannotFollow)
    .map((option) => ({
      index: option.index,
      message: `ssh option ${option.keyword} is one the host check cannot follow (with sshPrivateKey it connects directly, over its own SSH client): remove it, or give the key with -i in sshOpts instead of sshPrivateKey`,
    }));
}
