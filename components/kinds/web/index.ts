/** A web server (the web image): busybox httpd serving /srv/www on port 80. */
import { labNodeKind } from "../lab-node";

export const webKind = labNodeKind("web", "web", ["busybox", "httpd", "-f", "-v", "-p", "80", "-h", "/srv/www"]);
