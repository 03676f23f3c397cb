/**
 * The security regression suite, the part every line must pass: one case per
 * public advisory in another HTTP client (or per class of attack, where no
 * single advisory names it), each proven on the wire with a second,
 * "attacker" server on another port. Everything runs on 127.0.0.1, so
 * "another host" is another port here: a stricter test, since the origin
 * check that drops credentials for a port change is the one that drops them
 * for a host change.
 */
import type { Case } from "./Case.js"
import { inputs, limits } from "./security/Limits.js"
import { redirects } from "./security/Redirects.js"
import { secretSearch } from "./security/Secrets.js"
import { crlf, schemes, ssrf } from "./security/Urls.js"

/** Every case of the shared security suite. */
export const cases: ReadonlyArray<Case> = [...ssrf, ...schemes, ...crlf, ...redirects, ...limits, ...inputs, secretSearch]
