#!/usr/bin/env node
// End-to-end tests of the web portal (issue 20) in a real browser: Debian's headless Chromium
// driven over the DevTools protocol by playwright-core (no browser is downloaded), against the
// served demo on 127.0.0.1. Every page visited is screenshotted into the artefacts directory,
// and axe-core (injected from node_modules) must report no critical violation on the main
// pages. Every process started here is stopped at the end.
//
//   node tests/e2e/portal/portal_e2e.mjs [--tollgate target/debug/tollgate] [--artefacts DIR]
//
// Exit status 0 when every test passed. Run by .ci/run after the build (npm ci first).

import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "..", "..", "..");
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const TOLLGATE = path.resolve(ROOT, opt("--tollgate", "target/debug/tollgate"));
const ARTEFACTS = path.resolve(ROOT, opt("--artefacts", "target/portal-e2e"));
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
// A port of this run (not 8080, so a local Tollgate is left alone).
const HOST = "127.0.0.1:18192";
const BASE = `http://${HOST}`;
// Bounds: every wait in this file ends.
const START_WAIT_MS = 60_000;
const STEP_TIMEOUT_MS = 15_000;
const PASSWORD = "tollgate-demo-password";
const PARTNER = "admin@northwind.test";
const CUSTOMER = "admin@acme-dental.test";
// A direct customer (no partner): it opens its own tickets (a partner's customers go to their
// partner, P4).
const DIRECT = "admin@direct-corp.test";
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

fs.rmSync(ARTEFACTS, { recursive: true, force: true });
fs.mkdirSync(ARTEFACTS, { recursive: true });
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tollgate-portal-"));
let server = null;
let browser = null;
const results = [];
const axeReport = [];

function stopAll() {
  if (server && server.exitCode === null) server.kill("SIGTERM");
}
process.on("exit", stopAll);
process.on("SIGINT", () => process.exit(130));
process.on("SIGTERM", () => process.exit(143));

function assert(cond, msg) {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
}

async function api(method, p, token, body) {
  const res = await fetch(BASE + p, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body ? { "content-type": "application/json" } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, json, text };
}

// RFC 6238 TOTP (SHA-1, 6 digits, 30 s) of a base32 secret at `step`.
function totp(secretB32, step) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const ch of secretB32.replace(/=+$/, "").toUpperCase()) {
    bits += alphabet.indexOf(ch).toString(2).padStart(5, "0");
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const h = createHmac("sha1", Buffer.from(bytes)).update(msg).digest();
  const off = h[h.length - 1] & 0x0f;
  const n = ((h[off] & 0x7f) << 24) | (h[off + 1] << 16) | (h[off + 2] << 8) | h[off + 3];
  return String(n % 1_000_000).padStart(6, "0");
}

async function startServer() {
  server = spawn(
    TOLLGATE,
    ["serve", "--demo", "--listen", HOST, "--data-dir", dataDir],
    { stdio: ["ignore", fs.openSync(path.join(ARTEFACTS, "serve.log"), "w"), fs.openSync(path.join(ARTEFACTS, "serve.err.log"), "w")] },
  );
  const until = Date.now() + START_WAIT_MS;
  while (Date.now() < until) {
    try {
      const r = await fetch(`${BASE}/healthz`);
      if (r.ok && fs.existsSync(path.join(dataDir, "demo-tokens.json"))) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("tollgate did not start");
}

let shot = 0;
async function snap(page, name) {
  shot += 1;
  const file = path.join(ARTEFACTS, `${String(shot).padStart(2, "0")}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

const AXE_SOURCE = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

// axe-core on the page as it is: no critical violation allowed; serious ones are reported.
async function accessible(page, name) {
  await page.addScriptTag({ content: AXE_SOURCE });
  const r = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const out = await axe.run(document, { resultTypes: ["violations"] });
    return out.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
  });
  axeReport.push({ page: name, violations: r });
  const critical = r.filter((v) => v.impact === "critical");
  assert(critical.length === 0, `${name}: critical accessibility violations ${JSON.stringify(critical)}`);
}

async function visit(page, p, name) {
  const res = await page.goto(BASE + p);
  assert(res.status() === 200, `${p} answered ${res.status()}`);
  await snap(page, name);
  await accessible(page, name);
  return res;
}

async function signIn(page, email, code) {
  await page.goto(`${BASE}/portal/`);
  assert(page.url().includes("/portal/login"), `not sent to sign-in: ${page.url()}`);
  await page.fill("#f-login-email", email);
  await page.fill("#f-login-password", PASSWORD);
  if (code) await page.fill("#f-login-totp", code);
  await Promise.all([page.waitForNavigation(), page.click("#login button[type=submit]")]);
}

const tests = {
  // A3: the partner sets up two-step sign-in from My account (QR code and secret), then a
  // sign-in without the code is refused beside the field and one with the code gets in.
  async a3_sign_in_with_totp(ctx) {
    const page = await ctx.partner.newPage();
    await page.goto(`${BASE}/portal/login`);
    await snap(page, "sign-in");
    await accessible(page, "sign-in");
    await signIn(page, PARTNER, null);
    assert(new URL(page.url()).pathname === "/portal/", `not signed in: ${page.url()}`);
    await visit(page, "/portal/me", "me");
    await Promise.all([page.waitForNavigation(), page.click("#totp button[type=submit]")]);
    assert((await page.locator("svg[aria-label^='QR code']").count()) === 1, "no QR code");
    const secret = (await page.locator("dt:text-is('Secret') + dd").textContent()).trim();
    await snap(page, "totp-enrol");
    await accessible(page, "totp-enrol");
    // Confirm with the previous step's code (within the allowed skew), sign in with this
    // one's: a code is good once.
    const step = Math.floor(Date.now() / 1000 / 30);
    await page.fill("#f-totp-confirm-code", totp(secret, step - 1));
    await Promise.all([page.waitForNavigation(), page.click("#totp-confirm button[type=submit]")]);
    assert(page.url().endsWith("/portal/me?done=totp"), `enrolment not confirmed: ${page.url()}`);
    await Promise.all([page.waitForNavigation(), page.click("form.signout button")]);
    assert(page.url().includes("/portal/login"), `not signed out: ${page.url()}`);
    await signIn(page, PARTNER, null);
    const err = await page.textContent("#f-login-totp-err");
    assert(err && err.includes("totp_required"), `no totp_required beside the field: ${err}`);
    await snap(page, "sign-in-totp-required");
    await signIn(page, PARTNER, totp(secret, Math.floor(Date.now() / 1000 / 30)));
    assert(new URL(page.url()).pathname === "/portal/", `not on the dashboard: ${page.url()}`);
    assert((await page.textContent("h1")).includes("Dashboard"), "dashboard heading");
    await snap(page, "dashboard-partner");
    await accessible(page, "dashboard-partner");
    ctx.partnerPage = page;
  },

  // F4 through the portal: the partner suspends a customer's international calls; the guard
  // refuses one with F4; the partner reactivates; the guard admits it again.
  async f4_partner_suspends_and_reactivates_international_calls(ctx) {
    const page = ctx.partnerPage;
    await visit(page, "/portal/customers", "customers");
    await Promise.all([page.waitForNavigation(), page.click("text=Acme Dental")]);
    await snap(page, "customer");
    await accessible(page, "customer");
    await Promise.all([page.waitForNavigation(), page.click("text=Acme Dental HQ")]);
    const accountUrl = page.url();
    const account = accountUrl.split("/").pop();
    await snap(page, "account");
    await accessible(page, "account");
    await page.selectOption("#f-suspend-scope", "international");
    await page.selectOption("#f-suspend-rule", "F4");
    await page.fill("#f-suspend-reason", "Invoice overdue: international calls paused");
    await Promise.all([page.waitForNavigation(), page.click("#suspend button[type=submit]")]);
    const body = await page.textContent("main");
    assert(body.includes("in force") && body.includes("F4 (W 8.6)"), "the suspension is not shown in force with F4");
    await snap(page, "account-suspended");
    const call = { billing_account: account, from: "+33170000001", to: "+442079460000" };
    const refused = await api("POST", "/v1/guard/calls", ctx.tokens.operator, call);
    assert(refused.json.decision === "deny" && refused.json.rule === "F4", `not refused by F4: ${refused.text}`);
    const emergency = await api("POST", "/v1/guard/calls", ctx.tokens.operator, { ...call, to: "112" });
    assert(emergency.json.decision === "allow", `emergency refused: ${emergency.text}`);
    const form = page.locator("form[id^=reactivate-]");
    await form.locator("input[name=reason]").fill("Paid in full");
    await Promise.all([page.waitForNavigation(), form.locator("button[type=submit]").click()]);
    const after = await page.textContent("main");
    assert(after.includes("reactivated") && !after.includes("in force"), "not reactivated on the page");
    await snap(page, "account-reactivated");
    const admitted = await api("POST", "/v1/guard/calls", ctx.tokens.operator, call);
    assert(admitted.json.decision === "allow", `still refused after reactivation: ${admitted.text}`);
    for (const c of [admitted.json, emergency.json]) {
      await api("POST", `/v1/guard/calls/${c.call_id}/end`, ctx.tokens.operator, {});
    }
  },

  // H11: suggestions appear while the subject is typed; the ticket opens from the portal.
  async h11_customer_opens_a_ticket_with_suggestions_while_typing(ctx) {
    const page = await ctx.direct.newPage();
    await signIn(page, DIRECT, null);
    assert(new URL(page.url()).pathname === "/portal/", `customer not signed in: ${page.url()}`);
    await visit(page, "/portal/tickets/new", "ticket-new");
    await page.locator("#f-ticket-subject").pressSequentially("phone cannot register", { delay: 30 });
    await page.waitForSelector("#suggestions li a", { timeout: STEP_TIMEOUT_MS });
    const n = await page.locator("#suggestions li a").count();
    assert(n >= 1, "no suggestion shown");
    await snap(page, "ticket-suggestions");
    await page.fill("#f-ticket-message", "Two desk phones in the front office show 'No service' since this morning.");
    await page.fill("#f-ticket-device", "Yealink T54W");
    await page.fill("#f-ticket-versions", "firmware 96.86.0.70");
    await page.fill("#f-ticket-trace_numbers", "+12025550100 to +12025550101");
    await page.fill("#f-ticket-trace_at", "2026-12-01 09:15");
    await Promise.all([page.waitForNavigation(), page.click("#ticket button[type=submit]")]);
    const refused = await page.locator(".error, .field-error").allTextContents();
    assert(/\/portal\/tickets\/[a-z]+_/.test(page.url()), `not on the ticket: ${page.url()} ${refused.join(" | ")}`);
    assert((await page.textContent("h1")).includes("TKT-"), "ticket reference missing");
    await snap(page, "ticket");
    await accessible(page, "ticket");
    await visit(page, "/portal/tickets", "tickets");
    // A partner's customer is told where its support comes from (P4), beside the form.
    const acme = ctx.customerPage;
    await acme.goto(`${BASE}/portal/tickets/new`);
    await acme.fill("#f-ticket-subject", "phone cannot register");
    await acme.fill("#f-ticket-message", "No service");
    await Promise.all([acme.waitForNavigation(), acme.click("#ticket button[type=submit]")]);
    const why = await acme.textContent(".error");
    assert(why.includes("support_via_partner") && why.includes("P4"), `no P4 explanation: ${why}`);
    await snap(acme, "ticket-refused-p4");
  },

  // B: the customer downloads an invoice as PDF from its page, and it is a PDF.
  async b_customer_downloads_an_invoice_pdf(ctx) {
    const page = ctx.customerPage;

    await visit(page, "/portal/invoices", "invoices");
    const first = page.locator("main table tbody a").first();
    await Promise.all([page.waitForNavigation(), first.click()]);
    await snap(page, "invoice");
    await accessible(page, "invoice");
    const [download] = await Promise.all([
      page.waitForEvent("download", { timeout: STEP_TIMEOUT_MS }),
      page.click("text=Download the PDF"),
    ]);
    const file = path.join(ARTEFACTS, "invoice.pdf");
    await download.saveAs(file);
    const head = fs.readFileSync(file).subarray(0, 5).toString("latin1");
    assert(head === "%PDF-", `not a PDF: ${JSON.stringify(head)}`);
  },

  // P1-P5: a customer editing the URL to another customer's pages gets 404, like the API.
  async p_customer_cannot_reach_another_customers_pages(ctx) {
    const page = ctx.customerPage;
    const customers = await api("GET", "/v1/customers?limit=100", ctx.tokens.operator);
    const other = customers.json.items.find((c) => c.name === "Bayview Bakery");
    assert(other, "demo customer Bayview Bakery missing");
    const accounts = await api("GET", `/v1/billing-accounts?limit=100`, ctx.tokens.customer_b);
    const otherAccount = accounts.json.items[0].id;
    const invoices = await api("GET", "/v1/invoices?limit=5", ctx.tokens.customer_b);
    assert(invoices.json.items.length > 0, "the demo's other customer has no invoice to try");
    const paths = [
      `/portal/customers/${other.id}`,
      `/portal/accounts/${otherAccount}`,
      `/portal/invoices/${invoices.json.items[0].id}`,
    ];
    for (const p of paths) {
      const res = await page.goto(BASE + p);
      assert(res.status() === 404, `${p} answered ${res.status()} to another customer`);
    }
    await snap(page, "not-found");
    const own = await page.goto(`${BASE}/portal/audit`);
    assert(own.status() === 403, `a customer reached the audit log: ${own.status()}`);
  },

  // A form posted without its CSRF token (or with another session's) is refused; nothing written.
  async csrf_a_form_without_its_token_is_refused(ctx) {
    const page = ctx.customerPage;
    await page.goto(`${BASE}/portal/tickets`);
    const before = await api("GET", "/v1/tickets?limit=500", ctx.tokens.customer_a);
    const statuses = await page.evaluate(async () => {
      const post = (body) =>
        fetch("/portal/tickets", {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body,
        }).then((r) => r.status);
      const common = "kind=technical&subject=forged&message=forged+request";
      return [await post(common), await post(`_csrf=0000&${common}`)];
    });
    assert(statuses[0] === 403 && statuses[1] === 403, `forged posts answered ${statuses}`);
    const after = await api("GET", "/v1/tickets?limit=500", ctx.tokens.customer_a);
    assert(after.json.items.length === before.json.items.length, "a forged form wrote a ticket");
    // The sign-in form too (double-submit token): a post without it is refused.
    const res = await fetch(`${BASE}/portal/login`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `email=${encodeURIComponent(CUSTOMER)}&password=${PASSWORD}`,
      redirect: "manual",
    });
    assert(res.status === 403, `sign-in without its token answered ${res.status}`);
  },

  // S2: the public status page, without signing in: an incident the NOC opens shows on it;
  // it loads nothing but itself (no stylesheet, script, image or font request).
  async s2_the_public_status_page_shows_an_incident_and_loads_nothing_else(ctx) {
    const services = await api("GET", "/v1/assurance/services", ctx.tokens.operator);
    const api_ = services.json.items.find((s) => s.name === "API");
    assert(api_, "the demo's API service is missing");
    const opened = await api("POST", "/v1/assurance/incidents", ctx.tokens.operator, {
      title: "API answers slowly",
      cause: "provider",
      component_ids: api_.components.map((c) => c.id),
      message: "We are investigating slow answers.",
    });
    assert(opened.status === 201, `incident: ${opened.status}`);
    const anon = await ctx.browserCtx();
    const page = await anon.newPage();
    const requests = [];
    const errors = [];
    page.on("request", (r) => requests.push(r.url()));
    // A content-security-policy violation (the inline style refused) is a console error.
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    await visit(page, "/status", "status");
    const text = await page.textContent("main");
    for (const want of ["Some services are disrupted", "API answers slowly", "Major outage", "We are investigating slow answers."]) {
      assert(text.includes(want), `the status page does not show "${want}"`);
    }
    const bars = await page.locator("section.svc svg rect").count();
    assert(bars >= 90, `daily bars: ${bars}`);
    assert(requests.length === 1, `the status page fetched more than itself: ${requests.join(", ")}`);
    assert(errors.length === 0, `console errors on the status page: ${errors.join("; ")}`);
    const banner = await page.locator(".banner").evaluate((e) => getComputedStyle(e).backgroundColor);
    assert(banner === "rgb(255, 235, 238)", `the page's style is not applied (banner ${banner})`);
    const avail = await ctx.customerPage.goto(`${BASE}/portal/availability`);
    assert(avail.status() === 200, `availability page: ${avail.status()}`);
    await snap(ctx.customerPage, "availability");
    await accessible(ctx.customerPage, "availability");
    await anon.close();
  },

  // Every other main page renders for the partner and passes the accessibility check.
  async pages_render_and_are_accessible(ctx) {
    const page = ctx.partnerPage;
    for (const [p, name] of [
      ["/portal/numbers", "numbers"],
      ["/portal/calls", "calls"],
      ["/portal/guard", "guard"],
      ["/portal/receivables", "receivables"],
      ["/portal/rates", "rates"],
      ["/portal/hardware", "hardware"],
      ["/portal/frontline", "frontline"],
      ["/portal/availability", "availability-partner"],
    ]) {
      await visit(page, p, name);
    }
    const ops = await ctx.browserCtx();
    const op = await ops.newPage();
    await signIn(op, "ops@demo-telecom.test", null);
    await visit(op, "/portal/", "dashboard-operator");
    await visit(op, "/portal/audit", "audit");
    await visit(op, "/portal/invoices", "invoices-operator");
  },
};

async function main() {
  if (!fs.existsSync(TOLLGATE)) throw new Error(`${TOLLGATE} missing: cargo build first`);
  await startServer();
  const tokens = JSON.parse(fs.readFileSync(path.join(dataDir, "demo-tokens.json"), "utf8"));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
    // bypassCSP: the pages forbid inline script (CSP); the test injects axe-core inline.
  const browserCtx = () =>
    browser.newContext({ acceptDownloads: true, bypassCSP: true, viewport: { width: 1280, height: 900 } });
  const ctx = {
    tokens,
    partner: await browserCtx(),
    customer: await browserCtx(),
    direct: await browserCtx(),
    browserCtx,
  };
  // The partner's customer signs in once; the tests share its page.
  ctx.customerPage = await ctx.customer.newPage();
  await signIn(ctx.customerPage, CUSTOMER, null);
  await snap(ctx.customerPage, "dashboard-customer");
  await accessible(ctx.customerPage, "dashboard-customer");
  for (const [name, fn] of Object.entries(tests)) {
    const t0 = Date.now();
    try {
      await fn(ctx);
      results.push([name, "ok", Date.now() - t0]);
      console.log(`ok   ${name} (${Date.now() - t0} ms)`);
    } catch (e) {
      results.push([name, "FAIL", Date.now() - t0]);
      console.log(`FAIL ${name}: ${e.message}`);
    }
  }
  fs.writeFileSync(path.join(ARTEFACTS, "axe.json"), JSON.stringify(axeReport, null, 2));
  const serious = axeReport.flatMap((r) => r.violations.filter((v) => v.impact === "serious").map((v) => `${r.page}: ${v.id}`));
  console.log(`screenshots and axe.json in ${ARTEFACTS}; serious (not critical) findings: ${serious.length ? serious.join(", ") : "none"}`);
}

main()
  .catch((e) => {
    console.error(e);
    results.push(["setup", "FAIL", 0]);
  })
  .finally(async () => {
    if (browser) await browser.close().catch(() => {});
    stopAll();
    fs.rmSync(dataDir, { recursive: true, force: true });
    const failed = results.filter((r) => r[1] !== "ok").length;
    console.log(`${results.length - failed} passed, ${failed} failed`);
    process.exit(failed ? 1 : 0);
  });

