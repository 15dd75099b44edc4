/** Parses the Docker host address a stack names. Pure. */
export interface DockerHostAddress {
  scheme: "unix" | "ssh" | "tcp";
  /** Socket path for unix://, host name or address otherwise. */
  host: string;
  user?: string;
  port?: number;
}

export function parseDockerHost(url: string): DockerHostAddress | string {
  const unix = /^unix:\/\/(\/[^\s]+)$/.exec(url);
  if (unix) return { scheme: "unix", host: unix[1] };
  const remote = /^(ssh|tcp):\/\/(?:([A-Za-z0-9._-]+)@)?([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\])(?::(\d{1,5}))?\/?$/.exec(url);
  if (!remote) return "must be unix:///path/to/docker.sock, ssh://user@host[:port] or tcp://host:port";
  const port = remote[4] === undefined ? undefined : Number(remote[4]);
  if (port !== undefined && (port < 1 || port > 65535)) return `has port ${port}, outside 1-65535`;
  if (remote[1] === "tcp" && port === undefined) return "tcp:// needs a port";
  return { scheme: remote[1] as "ssh" | "tcp", user: remote[2], host: remote[3], port };
}

/** The host as ssh, ssh2 and known_hosts take it: an IPv6 literal without the URL's brackets. */
export function bareHost(host: string): string {
  return host.replace(/^\[(.*)\]$/, "$1");
}
