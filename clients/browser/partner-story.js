#!/usr/bin/env node
// Browser stories of Portico's web pages, run by the Rust test
// crates/server/tests/web/browser.rs against a server it started.
//
//   node browser/partner-story.js STORY_NAME
//
// Environment: STORY (JSON: base URL, credentials, ids), SCREENSHOTS (folder),
// CHROMIUM (Debian's chromium binary; playwright-core never downloads one).
// Prints one JSON line on success; exits non-zero with the reason otherwise.
"use strict";

const fs = require("fs");
const path = require("path");
const { chromium } = require("playwright-core");

const name = process.argv[2];
const cfg = JSON.parse(process.env.STORY || "{}");
const shotsDir = process.env.SCREENSHOTS || ".";
const WIDE = { width: 1280, height: 800 };
const NARROW = { width: 360, height: 760 };

function check(ok, message) {
  if (!ok) throw new Error(message);
}

// A screenshot at 1280 px and at 360 px; the narrow page must not scroll sideways.
async function shoot(page, label) {
  for (const size of [WIDE, NARROW]) {
    await page.setViewportSize(size);
    const file = path.join(shotsDir, `${name}-${label}-${size.width}.png`);
    await page.screenshot({ path: file, fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(overflow <= 1, `${label} at ${size.width} px scrolls sideways by ${overflow} px`);
  }
  await page.setViewportSize(WIDE);
}

async function signIn(page, email) {
  await page.waitForURL(/\/sign-in/);
  await page.getByLabel("Email").fill(email || cfg.email);
  await page.getByLabel("Password").fill(cfg.password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

// The publisher, in a browser of their own, invites the partner through the
// invite dialog (R-INV-3) and answers the invitation link's path; on the way
// they look at the workspace settings and create an API key on their account.
async function publisherInvites(browser) {
  const context = await browser.newContext({ viewport: WIDE });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  try {
    await page.goto(`${cfg.base}/workspaces/${cfg.workspaceId}`);
    await signIn(page, cfg.publisherEmail);
    await page.waitForURL(new RegExp(`/workspaces/${cfg.workspaceId}$`));
    await page.getByRole("link", { name: "Invite", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: /Invite people/ });
    await dialog.waitFor();
    check(await dialog.getByLabel("Make them Partner Lead").count() === 1, "no Partner Lead checkbox");
    await dialog.getByLabel("Partners").check();
    await dialog.getByLabel("Emails").fill(cfg.email);
    await dialog.getByLabel("Role").selectOption("viewer");
    await shoot(page, "invite-dialog");
    await dialog.getByRole("button", { name: "Send invites" }).click();
    await page.waitForURL(new RegExp(`/workspaces/${cfg.workspaceId}/invitations$`));
    const row = page.locator("[data-result=invited]", { hasText: cfg.email });
    check((await row.count()) === 1, "the invite result does not say invited");
    const link = await row.locator("[data-invitation-link]").innerText();
    await shoot(page, "invite-results");

    await page.goto(`${cfg.base}/workspaces/${cfg.workspaceId}/invite`);
    check((await page.locator(`[data-pending-email="${cfg.email}"]`).count()) === 1, "the invitation is not pending");
    await shoot(page, "invite-pending");

    await page.locator("nav.tabs").getByRole("link", { name: "Settings" }).click();
    await page.waitForURL(/\/settings$/);
    check((await page.getByLabel("I understand this cannot be undone").count()) === 1, "no multi-partner confirmation");
    await shoot(page, "settings");

    await page.getByRole("link", { name: /Account/ }).click();
    await page.waitForURL(/\/account$/);
    await page.getByLabel("Key name").fill("Laptop");
    await page.getByRole("button", { name: "Create key" }).click();
    const key = await page.getByLabel("Your new API key").inputValue();
    check(/^\S{20,}$/.test(key), `no key shown: ${key}`);
    await shoot(page, "account-new-key");
    return new URL(link).pathname;
  } finally {
    await context.close();
  }
}

// The partner opens the invitation, signs in from it, and accepts choosing
// their team (R-INV-2).
async function partnerAccepts(page, invitationPath) {
  await page.goto(`${cfg.base}${invitationPath}`);
  await shoot(page, "invitation-signed-out");
  await page.getByRole("link", { name: "Sign in" }).last().click();
  await shoot(page, "sign-in");
  await signIn(page);
  await page.waitForURL(new RegExp(`${invitationPath}$`));
  check((await page.getByLabel("A new team").count()) === 1, "no new-team choice");
  await page.getByLabel(cfg.partnerTeam).check();
  await shoot(page, "invitation-choose-team");
  await page.getByRole("button", { name: "Accept invitation" }).click();
  await page.waitForURL(new RegExp(`/workspaces/${cfg.workspaceId}$`));
}

// The publisher opens the collection of the Partner Workspace from its
// overview, edits a request in the editor and saves; the answer offers
// "Post an update" prefilled with the changes (R-UPD-2), which they post.
// Answers the update's id.
async function publisherSavesAndPostsUpdate(browser) {
  const context = await browser.newContext({ viewport: WIDE });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  try {
    await page.goto(`${cfg.base}/workspaces/${cfg.workspaceId}`);
    await signIn(page, cfg.publisherEmail);
    await page.waitForURL(new RegExp(`/workspaces/${cfg.workspaceId}$`));
    await page.getByRole("link", { name: cfg.collectionName }).click();
    await page.waitForURL(new RegExp(`/collections/${cfg.collectionId}$`));
    const tree = page.getByRole("navigation", { name: "Folders and requests" });
    check((await tree.locator("summary", { hasText: "Orders" }).count()) === 1, "no Orders folder in the tree");
    await shoot(page, "collection");

    await tree.getByRole("link", { name: /List orders/ }).click();
    await page.waitForURL(/\/requests\//);
    check((await tree.locator("[aria-current=page]").count()) === 1, "the request is not marked in the tree");
    await shoot(page, "request-editor");
    await page.getByLabel("URL").fill("https://api.example/v2/orders?cursor=");
    await page.getByLabel("Method").selectOption("GET");
    await page.getByRole("button", { name: "Save" }).click();

    const nudge = page.getByRole("region", { name: "Post an update" });
    await nudge.waitFor();
    const prefilled = await nudge.getByLabel("Description").inputValue();
    check(/Updated request \*\*List orders\*\*/.test(prefilled), `the nudge is not prefilled: ${prefilled}`);
    await shoot(page, "save-nudge");
    await nudge.getByLabel("Topic").fill("Orders API v2 is live");
    await nudge.getByLabel("Description").fill(
      "The `/orders` endpoint now pages with **cursors**. See the [guide](https://example.com/guide).\n\n" + prefilled);
    await nudge.getByLabel("Category").selectOption("new_feature");
    await nudge.getByRole("button", { name: "Post update" }).click();
    await page.waitForURL(/\/updates#update-\d+$/);
    return Number(page.url().split("#update-")[1]);
  } finally {
    await context.close();
  }
}

function badge(page, workspaceId) {
  return page.evaluate((id) => {
    const el = Array.from(document.querySelectorAll("[data-unread-ws]")).find((e) => e.getAttribute("data-unread-ws") === id);
    return el ? { hidden: el.hidden, count: el.querySelector("[data-count]").textContent } : null;
  }, workspaceId);
}

// From the workspace overview: opens the collection, forks it through the
// dialog into the partner team's workspace, and sees the fork's page; the
// source then lists the fork. Answers the fork's id.
async function partnerForksIntoOwnTeam(page) {
  await page.getByRole("link", { name: cfg.collectionName }).first().click();
  await page.waitForURL(new RegExp(`/collections/${cfg.collectionId}$`));
  const dialog = page.locator("details.fork-dialog");
  await dialog.locator("summary", { hasText: "Fork this collection" }).click();
  await dialog.getByLabel("Fork label").fill("Globex integration");
  const own = dialog.locator(`optgroup[label="${cfg.partnerTeam} (your team)"] option`);
  check((await own.count()) === 1, "the dialog does not offer the partner's own team workspace");
  await dialog.getByLabel("Destination workspace").selectOption({ label: cfg.forkWorkspaceName });
  await shoot(page, "fork-dialog");
  await dialog.getByRole("button", { name: "Fork" }).click();
  await page.waitForURL((u) => /\/collections\/[^/]+$/.test(u.pathname) && !u.pathname.endsWith(cfg.collectionId));
  const fork = page.url().split("/collections/")[1];
  const source = page.getByRole("region", { name: "Source" });
  check((await source.getByText("Globex integration").count()) === 1, "the fork page does not show its label");
  check((await source.locator("[data-behind='0']").count()) === 1, "the fork is not up to date");
  await shoot(page, "fork");

  await source.getByRole("link", { name: "the source collection" }).click();
  await page.waitForURL(new RegExp(`/collections/${cfg.collectionId}$`));
  check((await page.locator(`[data-fork="${fork}"]`).count()) === 1, "the source does not list the fork");
  await shoot(page, "forks-list");
  return fork;
}

// In the fork: edits a request, then opens a pull request with the
// publisher as reviewer and looks at its page. Answers its id.
async function partnerProposesChange(page, fork) {
  await page.goto(`${cfg.base}/collections/${fork}`);
  const tree = page.getByRole("navigation", { name: "Folders and requests" });
  await tree.getByRole("link", { name: /Health/ }).click();
  await page.waitForURL(/\/requests\//);
  await page.getByLabel("URL").fill("https://api.example/v2/health");
  await page.getByRole("button", { name: "Save" }).click();
  await page.waitForLoadState();
  await page.goto(`${cfg.base}/collections/${fork}`);
  check((await page.locator("[data-ahead='1']").count()) === 1, "the fork does not say it is 1 change ahead");
  await page.getByRole("link", { name: "Create pull request" }).click();
  await page.waitForURL(/\/pull-requests\/new$/);
  await page.getByLabel("Title").fill("Health check moves to v2");
  await page.getByLabel("Description").fill("We call the **v2** health check.");
  await page.locator("label.reviewer", { hasText: cfg.publisherName }).locator("input").check();
  await shoot(page, "pull-request-new");
  await page.getByRole("button", { name: "Create pull request" }).click();
  await page.waitForURL(/\/pull-requests\/[0-9a-f-]+$/);
  check((await page.locator("[data-status=open]").count()) === 1, "the pull request is not open");
  check((await page.locator("[data-change=modification]").count()) === 1, "the diff does not label the change");
  check((await page.getByRole("button", { name: "Merge" }).count()) === 0, "a viewer of the source is offered Merge");
  await shoot(page, "pull-request");
  return page.url().split("/pull-requests/")[1];
}

const stories = {
  // R-INV-3, R-INV-2, R-ISO-5, R-ISO-6, R-UPD-5, R-UPD-3, R-UPD-4.
  async "partner-follows-updates"(page, browser) {
    const invitation = await publisherInvites(browser);
    await partnerAccepts(page, invitation);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Workspaces" }).click();
    await page.waitForURL(/\/workspaces$/);

    await page.getByRole("link", { name: "External Workspaces" }).click();
    await page.waitForURL(/tab=external/);
    const row = page.locator(".ws-list .row", { hasText: cfg.workspaceName });
    check((await row.count()) === 1, "the partner workspace is not under External Workspaces");
    check((await row.locator(".tag.external").innerText()) === "EXTERNAL", "no EXTERNAL tag on the row");
    check((await row.locator(".badge.type-partner").innerText()) === "partner", "no partner type badge");
    await shoot(page, "external-workspaces");

    await row.getByRole("link", { name: cfg.workspaceName }).click();
    await page.waitForURL(new RegExp(`/workspaces/${cfg.workspaceId}$`));
    const me = page.locator(".member", { hasText: "(you)" });
    check((await me.count()) === 1, "the partner is not in the member list");
    check((await me.getByRole("img", { name: "partner" }).count()) === 1, "no diamond on the partner's own avatar");
    const before = await badge(page, cfg.workspaceId);
    check(before && before.hidden, `the Updates badge shows before any update: ${JSON.stringify(before)}`);
    await page.waitForSelector("body[data-live=connected]", { timeout: 10000 });
    await page.evaluate(() => { window.__notReloaded = true; });

    // The publisher edits a request in the browser, saves, takes the nudge
    // and posts the update (R-UPD-2).
    const update = { id: await publisherSavesAndPostsUpdate(browser) };

    await page.waitForFunction((id) => {
      const el = Array.from(document.querySelectorAll("[data-unread-ws]")).find((e) => e.getAttribute("data-unread-ws") === id);
      return el && !el.hidden && el.querySelector("[data-count]").textContent === "1";
    }, cfg.workspaceId, { timeout: 15000 });
    check(await page.evaluate(() => window.__notReloaded === true), "the page reloaded");
    const notif = await page.evaluate(() => {
      const el = document.querySelector("[data-notification-count]");
      return { hidden: el.hidden, count: el.querySelector("[data-count]").textContent };
    });
    check(!notif.hidden && notif.count === "1", `notification count: ${JSON.stringify(notif)}`);
    await shoot(page, "live-badge");

    await page.locator("nav.tabs").getByRole("link", { name: /^Updates/ }).click();
    await page.waitForURL(/\/updates$/);
    const after = await badge(page, cfg.workspaceId);
    check(after && after.hidden, `the Updates badge did not clear: ${JSON.stringify(after)}`);
    const article = page.locator(`#update-${update.id}`);
    check((await article.getByRole("heading", { name: "Orders API v2 is live" }).count()) === 1, "the update is not listed");
    check((await article.locator(".prose strong", { hasText: "cursors" }).count()) === 1, "the markdown is not rendered");
    check((await article.locator(".prose li", { hasText: "Updated request" }).count()) === 1, "the nudge's change list is not in the update");

    await article.getByLabel("Add a comment").fill("Thanks, we will migrate this week.");
    await article.getByRole("button", { name: "Comment" }).click();
    await page.waitForURL(/#comment-\d+$/);
    const comment = page.locator(`#update-${update.id} .comment`, { hasText: "Thanks, we will migrate this week." });
    check((await comment.count()) === 1, "the comment is not shown");
    check((await comment.getByRole("img", { name: "partner" }).count()) === 1, "no diamond on the partner's comment");
    await shoot(page, "commented");

    // Back on the overview the badge stays clear.
    await page.locator("nav.tabs").getByRole("link", { name: "Overview" }).click();
    await page.waitForURL(new RegExp(`/workspaces/${cfg.workspaceId}$`));
    const overview = await badge(page, cfg.workspaceId);
    check(overview && overview.hidden, `the badge is back: ${JSON.stringify(overview)}`);
    await shoot(page, "overview");

    // The partner forks the collection into their own (paid) team through
    // the Fork dialog, which offers only what R-FORK-1 allows (R-FORK-1, R-FORK-2).
    const fork = await partnerForksIntoOwnTeam(page);
    // …changes a request in the fork and proposes it back (R-PR-1).
    const pullRequestId = await partnerProposesChange(page, fork);
    return { updateId: update.id, forkId: fork, pullRequestId };
  },

  // R-MULTI-4.
  async "multi-partner-no-comments"(page) {
    await page.goto(`${cfg.base}/workspaces/${cfg.workspaceId}/updates`);
    await signIn(page);
    await page.waitForURL(new RegExp(`/workspaces/${cfg.workspaceId}/updates$`));
    check((await page.locator(".ws-head .badge.type-multi").innerText()) === "multi-partner", "no multi-partner badge");
    check((await page.locator("article.update").count()) === 1, "the update is not listed");
    check((await page.locator("article.update textarea").count()) === 0, "a comment box is shown");
    check((await page.getByRole("button", { name: "Comment" }).count()) === 0, "a Comment button is shown");
    const note = await page.locator("[data-comments-off]").innerText();
    check(/multi-partner/.test(note) && /never see one another/.test(note), `no line saying why: ${note}`);
    await shoot(page, "updates");
    return { ok: true };
  },

  // R-UPD-5 (the notifications panel, live), R-UPD-1 (edit with a
  // markdown preview) and R-UPD-4 (the preview is sanitised).
  async "notifications-panel-and-editing"(page, browser) {
    await page.goto(`${cfg.base}/workspaces`);
    await signIn(page);
    await page.waitForURL(/\/workspaces$/);
    await page.waitForSelector("body[data-live=connected]", { timeout: 10000 });
    const posted = await fetch(`${cfg.base}/api/workspaces/${cfg.workspaceId}/updates`, {
      method: "POST",
      headers: { "x-api-key": cfg.publisherKey, "content-type": "application/json" },
      body: JSON.stringify({ topic: "Sandbox resets nightly", description: "At **02:00 UTC**.", category: "announcement" }),
    });
    check(posted.ok, `posting the update answered ${posted.status}`);
    const updateId = (await posted.json()).id;
    await page.waitForFunction(() => {
      const el = document.querySelector("[data-notification-count]");
      return el && !el.hidden && el.querySelector("[data-count]").textContent === "1";
    }, null, { timeout: 15000 });

    const bell = page.getByRole("link", { name: /Notifications/ });
    await bell.click();
    const panel = page.getByRole("region", { name: "Notifications" });
    await panel.waitFor();
    check((await bell.getAttribute("aria-expanded")) === "true", "the bell does not say the panel is open");
    check((await panel.getByText("1 unread").count()) === 1, "the panel does not count the unread notification");
    const item = panel.getByRole("link", { name: /Sandbox resets nightly/ });
    check((await item.count()) === 1, "the new update is not in the panel");
    await shoot(page, "notifications-panel");
    await page.keyboard.press("Escape");
    check(await panel.isHidden(), "Escape does not close the panel");
    await bell.click();
    await panel.getByRole("link", { name: /Sandbox resets nightly/ }).click();
    await page.waitForURL(new RegExp(`/updates#update-${updateId}$`));

    // The publisher edits the update, previewing the markdown first.
    const context = await browser.newContext({ viewport: WIDE });
    const alice = await context.newPage();
    alice.setDefaultTimeout(15000);
    try {
      await alice.goto(`${cfg.base}/workspaces/${cfg.workspaceId}/updates`);
      await signIn(alice, cfg.publisherEmail);
      await alice.waitForURL(/\/updates$/);
      const article = alice.locator(`#update-${updateId}`);
      await article.locator("details.edit > summary", { hasText: "Edit" }).first().click();
      const topic = article.getByLabel("Topic");
      check((await topic.inputValue()) === "Sandbox resets nightly", "the edit form is not prefilled");
      await topic.fill("Sandbox resets nightly at 02:00");
      await article.getByLabel("Description").fill(
        "At **02:00 UTC**, all data goes. <img src=x onerror=\"window.__xss=1\"> [more](javascript:window.__xss=2)");
      await article.getByRole("button", { name: "Preview" }).click();
      const preview = article.getByLabel("Preview");
      await preview.locator("strong", { hasText: "02:00 UTC" }).waitFor();
      check((await preview.locator("[onerror], a[href^='javascript']").count()) === 0, "the preview kept a script vector");
      check(await alice.evaluate(() => window.__xss === undefined), "a script ran from the preview");
      await shoot(alice, "update-edit-preview");
      await article.getByRole("button", { name: "Save update" }).click();
      await alice.waitForURL(new RegExp(`#update-${updateId}$`));
      const edited = alice.locator(`#update-${updateId}`);
      check((await edited.getByRole("heading", { name: "Sandbox resets nightly at 02:00" }).count()) === 1, "the edit was not saved");
      check((await edited.getByText("· edited").count()) === 1, "the update does not say it was edited");
    } finally {
      await context.close();
    }
    return { updateId };
  },

  // R-UPD-4: the kept XSS vectors (crates/app/tests/xss-vectors.txt), posted
  // as an update, a comment and the workspace's about, run nothing in the
  // browser: no dialog, no blocked script (the sanitiser left nothing for
  // the CSP to stop), and no live element or handler in the rendered text.
  async "xss-vectors-inert"(page) {
    let dialogs = 0;
    page.on("dialog", (d) => { dialogs += 1; d.dismiss().catch(() => {}); });
    await page.addInitScript(() => {
      window.__violations = [];
      document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(e.violatedDirective + " " + e.blockedURI));
    });
    await page.goto(`${cfg.base}/workspaces/${cfg.workspaceId}/updates`);
    await signIn(page);
    await page.waitForURL(/\/updates$/);
    check((await page.locator(`#update-${cfg.updateId} .prose`).count()) >= 2, "the update and comment with the vectors are not shown");
    const pages = [`/workspaces/${cfg.workspaceId}/updates`, `/workspaces/${cfg.workspaceId}`];
    const found = [];
    for (const path of pages) {
      await page.goto(`${cfg.base}${path}`);
      await page.waitForTimeout(1000); // let any onerror/onload fire
      const live = await page.evaluate(() => {
        const bad = [];
        document.querySelectorAll(".prose *").forEach((el) => {
          const tag = el.tagName.toLowerCase();
          if (["script", "iframe", "object", "embed", "frame", "base", "form", "meta", "link", "style", "svg", "math"].includes(tag)) bad.push(tag);
          for (const a of el.attributes) {
            const v = a.value.replace(/[\s\u0000-\u001f]/g, "").toLowerCase();
            if (a.name.startsWith("on") || a.name === "style" || a.name === "srcdoc") bad.push(`${tag}[${a.name}]`);
            if (["href", "src", "action", "formaction", "xlink:href"].includes(a.name) && /^(javascript|vbscript|data):/.test(v)) bad.push(`${tag}[${a.name}=${v.slice(0, 20)}]`);
          }
        });
        return { bad, violations: window.__violations || [] };
      });
      found.push(...live.bad.map((b) => `${path}: ${b}`), ...live.violations.map((v) => `${path}: CSP blocked ${v}`));
    }
    await shoot(page, "updates");
    check(dialogs === 0, `${dialogs} dialogs opened`);
    check(found.length === 0, `live markup: ${found.slice(0, 10).join("; ")}`);
    return { pagesChecked: pages.length };
  },
};

(async () => {
  const story = stories[name];
  if (!story) throw new Error(`unknown story ${name}`);
  fs.rmSync(path.join(shotsDir, `${name}-FAILED.png`), { force: true });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", headless: true });
  try {
    const context = await browser.newContext({ viewport: WIDE });
    const page = await context.newPage();
    page.setDefaultTimeout(15000);
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    let result;
    try {
      result = await story(page, browser);
    } catch (e) {
      await page.screenshot({ path: path.join(shotsDir, `${name}-FAILED.png`), fullPage: true }).catch(() => {});
      throw new Error(`${e.message}\n  at ${page.url()}\n  page errors: ${errors.join("; ")}`);
    }
    const real = errors.filter((e) => !/EventSource|ERR_ABORTED|net::ERR/.test(e));
    check(real.length === 0, `errors in the page: ${real.join("; ")}`);
    console.log(JSON.stringify(result));
  } finally {
    await browser.close();
  }
})().catch((e) => {
  console.error(e && e.stack ? e.stack : String(e));
  process.exit(1);
});
