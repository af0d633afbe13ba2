/* The course's in-browser mock exam: draw a seeded exam, take it timed, grade it, review it,
   or practise by domain or task with feedback after each question.

   The draw and the grading reproduce labkit/exam.py step for step (mulberry32, Fisher-Yates from
   the last position down, domains 1 to 4 in turn, case studies kept whole), so exam N is the same
   exam here, in the notebook and on the command line. Bank text only ever enters the page as text
   nodes; the one markup honoured is `backticks` for code. Nothing is fetched: the data comes from
   _static/exam-data.js (window.MLA_EXAM_DATA), state from localStorage. */
(function () {
  "use strict";

  const DATA = window.MLA_EXAM_DATA;
  const PREFIX = "mla-c01-exam:";
  const STORE_VERSION = 1;
  const LETTERS = "ABCDEFGH";
  const MAX_SEED = 0xFFFFFFFF;
  const MAX_HISTORY = 50;

  /* ---- the draw, as labkit/exam.py does it ------------------------------------------------ */

  function mulberry32(seed) {
    let a = seed >>> 0;
    return function () {
      a = (a + 0x6D2B79F5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t = (t + Math.imul(t ^ (t >>> 7), t | 61)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  function shuffle(items, rng) {
    for (let i = items.length - 1; i > 0; i -= 1) {
      const j = Math.floor(rng() * (i + 1));
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }

  /** Standalone questions, and case studies kept whole, in order of first appearance. */
  function unitsOf(questions) {
    const units = new Map();
    for (const q of questions) {
      const id = q.caseId || q.id;
      if (!units.has(id)) units.set(id, []);
      units.get(id).push(q);
    }
    return [...units.values()];
  }

  /** A question as one exam (or practice run) shows it: its options in a shuffled order. */
  function makeItem(q, number, order) {
    const toShown = {};
    const toBank = {};
    order.forEach((key, i) => {
      toShown[key] = LETTERS[i];
      toBank[LETTERS[i]] = key;
    });
    let key;
    if (q.type === "matching") {
      key = {};
      for (const [prompt, bankKey] of Object.entries(q.answer)) key[prompt] = toShown[bankKey];
    } else {
      key = q.answer.map((k) => toShown[k]);
    }
    const text = Object.fromEntries(q.options);
    const shown = order.map((k, i) => [LETTERS[i], text[k]]);
    return { number, q, order, toShown, toBank, key, shown };
  }

  const papers = new Map();

  /** Exams draw from the exam pool only, as labkit.exam.exam_pool does (no `pool` field: exam). */
  function examPool() {
    return DATA.questions.filter((q) => (q.pool || "exam") === "exam");
  }

  const FIXED = DATA.fixed || {};
  const byId = new Map(DATA.questions.map((q) => [q.id, q]));

  /** Practice shows the practice pool, plus the items of the fixed mock exams this browser has
   * completed (their review shows them already), so exam items stay unseen until then. */
  function practicePool() {
    const done = new Set(state.history.map((r) => r.seed).filter(isFixed));
    const seen = new Set([...done].flatMap((name) => FIXED[name].map((entry) => entry.id)));
    return DATA.questions.filter((q) => q.pool === "practice" || seen.has(q.id));
  }

  function isFixed(key) {
    return typeof key === "string" && Object.prototype.hasOwnProperty.call(FIXED, key);
  }

  /** "Mock exam A" for a fixed exam, "Exam 7" for a random one. */
  function examTitle(key) {
    return isFixed(key) ? `Mock exam ${key}` : `Exam ${key}`;
  }

  /** A fixed mock exam as labkit.exam.fixed_exams drew it: the build stores its ids and option orders. */
  function fixedPaper(name) {
    const items = FIXED[name].map((entry, i) => makeItem(byId.get(entry.id), i + 1, entry.order));
    return { seed: name, items };
  }

  /** Exam `seed` (a number), or fixed exam "A" to "D": {seed, items} in exam order. Throws an Error
   * if a domain cannot fill its quota. */
  function drawPaper(seed) {
    if (papers.has(seed)) return papers.get(seed);
    if (isFixed(seed)) {
      papers.set(seed, fixedPaper(seed));
      return papers.get(seed);
    }
    const rng = mulberry32(seed);
    const chosen = [];
    const domains = Object.keys(DATA.quotas).map(Number).sort((a, b) => a - b);
    for (const domain of domains) {
      const quota = DATA.quotas[String(domain)];
      const units = shuffle(unitsOf(examPool().filter((q) => q.domain === domain)), rng);
      let count = 0;
      for (const unit of units) {
        if (count + unit.length <= quota) {
          chosen.push(unit);
          count += unit.length;
        }
        if (count === quota) break;
      }
      if (count < quota) {
        throw new Error(`Domain ${domain} cannot fill its ${quota} questions from the question bank.`);
      }
    }
    const items = shuffle(chosen, rng).flat().map(
      (q, i) => makeItem(q, i + 1, shuffle(q.options.map((o) => o[0]), rng)));
    const paper = { seed, items };
    papers.set(seed, paper);
    return paper;
  }

  /* ---- grading, as labkit/exam.py does it ------------------------------------------------- */

  function isPlainObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  /** The learner's answer as shown letters (list, or prompt -> letter), or null if unusable. */
  function normalise(item, given) {
    if (given === null || given === undefined) return null;
    if (item.q.type === "matching") {
      if (!isPlainObject(given)) return null;
      const out = {};
      for (const [k, v] of Object.entries(given)) out[String(k)] = String(v).trim().toUpperCase();
      return out;
    }
    if (typeof given === "string") given = given.replace(/,/g, " ").split(/\s+/).filter(Boolean);
    if (!Array.isArray(given)) return null;
    return given.map((letter) => String(letter).trim().toUpperCase());
  }

  function sameList(a, b) {
    return a.length === b.length && a.every((x, i) => x === b[i]);
  }

  function isCorrect(item, given) {
    const answer = normalise(item, given);
    if (!answer || Object.keys(answer).length === 0) return false;
    const type = item.q.type;
    if (type === "multiple_choice" || type === "multiple_response") {
      return sameList([...answer].sort(), [...item.key].sort());
    }
    if (type === "ordering") return sameList(answer, item.key);
    const prompts = Object.keys(item.key);
    return Object.keys(answer).length === prompts.length && prompts.every((p) => answer[p] === item.key[p]);
  }

  function scaledScore(correct, total) {
    const [low, high] = DATA.scale;
    return Math.floor(low + (high - low) * correct / total + 0.5);
  }

  function answersByNumber(paper, answers) {
    const out = {};
    for (const [raw, value] of Object.entries(answers || {})) {
      const number = Number(String(raw).trim());
      if (!Number.isInteger(number) || number < 1 || number > paper.items.length) {
        throw new RangeError(`answers name a question that is not in this exam: ${raw}`);
      }
      out[number] = value;
    }
    return out;
  }

  function gradePaper(paper, answers) {
    const given = answersByNumber(paper, answers);
    const byDomain = {};
    const byTask = {};
    const missed = new Map(); // insertion order = order of the first miss
    const verdicts = {};
    let correct = 0;
    for (const item of paper.items) {
      const ok = isCorrect(item, given[item.number]);
      verdicts[item.number] = ok;
      correct += ok ? 1 : 0;
      for (const [tally, id] of [[byDomain, item.q.domain], [byTask, item.q.task]]) {
        if (!tally[id]) tally[id] = [0, 0];
        tally[id][0] += ok ? 1 : 0;
        tally[id][1] += 1;
      }
      if (!ok) {
        const href = item.q.teaches.href;
        missed.set(href, (missed.get(href) || 0) + 1);
      }
    }
    const total = paper.items.length;
    const scaled = scaledScore(correct, total);
    const revisit = [...missed.entries()].sort((a, b) => b[1] - a[1]); // Array.sort is stable
    return { correct, total, scaled, passed: scaled >= DATA.passMark, byDomain, byTask, revisit, verdicts };
  }

  /* ---- storage ---------------------------------------------------------------------------- */

  const memory = new Map(); // stands in for localStorage when it is blocked
  const store = {
    ok: (function probe() {
      try {
        const ls = window.localStorage;
        ls.setItem(PREFIX + "probe", "1");
        ls.removeItem(PREFIX + "probe");
        return true;
      } catch (e) {
        return false;
      }
    })(),
    read(name) {
      if (!this.ok) return memory.has(name) ? memory.get(name) : null;
      try {
        return window.localStorage.getItem(PREFIX + name);
      } catch (e) {
        return null;
      }
    },
    write(name, value) {
      const text = JSON.stringify(value);
      if (!this.ok) return memory.set(name, text);
      try {
        window.localStorage.setItem(PREFIX + name, text);
      } catch (e) {
        notice("Your browser would not save the latest change (its storage may be full).");
      }
      return undefined;
    },
    remove(name) {
      memory.delete(name);
      if (!this.ok) return;
      try {
        window.localStorage.removeItem(PREFIX + name);
      } catch (e) { /* nothing to do */ }
    },
  };

  function isSeed(value) {
    return (Number.isInteger(value) && value >= 1 && value <= MAX_SEED) || isFixed(value);
  }

  function isNumberKey(key) {
    return /^[0-9]{1,3}$/.test(key) && Number(key) >= 1 && Number(key) <= DATA.examSize;
  }

  function isLetter(value) {
    return typeof value === "string" && value.length === 1 && LETTERS.includes(value);
  }

  function isAnswerShape(value) {
    if (Array.isArray(value)) {
      return value.length <= LETTERS.length && value.every(isLetter) && new Set(value).size === value.length;
    }
    return isPlainObject(value) && Object.entries(value).every(([k, v]) => /^[0-9]{1,2}$/.test(k) && isLetter(v));
  }

  function isSheet(answers, flags) {
    return isPlainObject(answers)
      && Object.entries(answers).every(([k, v]) => isNumberKey(k) && isAnswerShape(v))
      && Array.isArray(flags)
      && flags.every((n) => Number.isInteger(n) && isNumberKey(String(n)));
  }

  function isCurrentExam(saved) {
    const span = DATA.minutes * 60000;
    return isPlainObject(saved) && saved.version === STORE_VERSION && isSeed(saved.seed)
      && Number.isInteger(saved.current) && saved.current >= 1 && saved.current <= DATA.examSize
      && Number.isFinite(saved.deadline) && saved.deadline - Date.now() <= span + 60000
      && isSheet(saved.answers, saved.flags);
  }

  function isResult(r) {
    return isPlainObject(r) && typeof r.date === "string" && !Number.isNaN(Date.parse(r.date))
      && isSeed(r.seed) && Number.isInteger(r.scaled) && typeof r.passed === "boolean"
      && isSheet(r.answers, r.flags);
  }

  /** Read and validate one stored value; on failure remove it and say so. */
  function load(name, valid) {
    const text = store.read(name);
    if (text === null) return null;
    try {
      const value = JSON.parse(text);
      if (valid(value)) return value;
    } catch (e) { /* falls through to clearing it */ }
    store.remove(name);
    return undefined;
  }

  function loadHistory() {
    const saved = load("history", (h) => isPlainObject(h) && h.version === STORE_VERSION
      && Array.isArray(h.results) && h.results.every(isResult));
    return saved ? saved.results : saved; // null: none; undefined: unreadable
  }

  function saveHistory() {
    store.write("history", { version: STORE_VERSION, results: state.history });
  }

  function saveExam() {
    const e = state.exam;
    if (!e) return;
    store.write("current", {
      version: STORE_VERSION, seed: e.seed, answers: e.answers, flags: [...e.flags].sort((a, b) => a - b),
      current: e.current, deadline: e.deadline, started: e.started,
    });
  }

  /** Drop stored letters that do not fit the redrawn question (e.g. after the bank changed). */
  function fitAnswers(paper, answers) {
    const out = {};
    for (const [k, v] of Object.entries(answers)) {
      const item = paper.items[Number(k) - 1];
      if (!item) continue;
      const letters = item.shown.map((s) => s[0]);
      if (Array.isArray(v) && item.q.type !== "matching" && v.every((l) => letters.includes(l))) {
        if (item.q.type !== "ordering" || v.length === letters.length) out[k] = v;
      } else if (isPlainObject(v) && item.q.type === "matching") {
        const prompts = item.q.prompts.map((p) => p[0]);
        const fit = Object.fromEntries(Object.entries(v).filter(([p, l]) => prompts.includes(p) && letters.includes(l)));
        if (Object.keys(fit).length) out[k] = fit;
      }
    }
    return out;
  }

  /* ---- DOM helpers (text only: never HTML from the data) ---------------------------------- */

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "class") node.className = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else if (name === "checked" || name === "disabled" || name === "selected" || name === "value") node[name] = value;
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    append(node, children);
    return node;
  }

  function append(node, children) {
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
    }
    return node;
  }

  /** Bank text with `backticks` as <code>; an unmatched backtick stays as text. */
  function rich(text) {
    const parts = String(text).split("`");
    if (parts.length % 2 === 0) parts.splice(-2, 2, parts[parts.length - 2] + "`" + parts[parts.length - 1]);
    return parts.map((part, i) => (i % 2 ? el("code", null, part) : document.createTextNode(part)));
  }

  function plain(text) {
    return String(text).replace(/`/g, "");
  }

  function button(label, attrs) {
    return el("button", Object.assign({ type: "button", class: "mla-button" }, attrs), label);
  }

  function siteRoot() {
    const fromHtml = document.documentElement.dataset.content_root;
    return fromHtml !== undefined ? fromHtml : (host.dataset.root || "");
  }

  function teachesLink(q, attrs) {
    return el("a", Object.assign({ href: siteRoot() + q.teaches.href }, attrs), `${q.task} · ${q.teaches.title}`);
  }

  function docsList(q) {
    const links = (q.docs || []).filter((url) => typeof url === "string" && url.startsWith("https://"));
    if (!links.length) return null;
    return el("div", { class: "mla-docs" },
      el("p", null, el("strong", null, "AWS documentation:")),
      el("ul", null, links.map((url) => el("li", null, el("a", { href: url }, url.slice("https://".length))))));
  }

  function formatTime(ms) {
    const s = Math.max(0, Math.ceil(ms / 1000));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const pad = (n) => String(n).padStart(2, "0");
    return h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`;
  }

  function formatDate(iso) {
    const date = new Date(iso);
    return date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  }

  function lettersText(list) {
    return list.length ? list.join(", ") : "not answered";
  }

  /* ---- page state and the shared frame ---------------------------------------------------- */

  const host = document.getElementById("mla-exam");
  const state = { exam: null, history: [], practice: null, review: null, timer: 0 };
  let noticeRegion;
  let liveRegion;
  let screen;

  function notice(text) {
    if (noticeRegion) noticeRegion.textContent = text;
  }

  /** Tell screen-reader users what changed; cleared first so a repeat is announced again. */
  function announce(text) {
    liveRegion.textContent = "";
    window.setTimeout(() => { liveRegion.textContent = text; }, 60);
  }

  function show(...children) {
    screen.replaceChildren(...children.flat().filter(Boolean));
  }

  function focusHeading() {
    const heading = screen.querySelector("[data-focus]");
    if (heading) heading.focus();
  }

  function heading(level, text, attrs) {
    return el(`h${level}`, Object.assign({ tabindex: "-1", "data-focus": "" }, attrs), text);
  }

  function scenarioBox(q) {
    if (!q.scenario) return null;
    return el("div", { class: "mla-case" },
      el("p", { class: "mla-case-label" }, "Case study"),
      plain(q.scenario).trim() ? el("p", null, rich(q.scenario.trim())) : null);
  }

  function stemOf(item) {
    let stem = item.q.stem.trim();
    if (item.q.type === "multiple_response" && !/\(Choose [^)]*\)/i.test(stem)) stem += ` (Choose ${item.q.choose}.)`;
    return el("p", { class: "mla-stem", id: `stem-${item.number}` }, rich(stem));
  }

  /* ---- answer controls (shared by the exam and practice) ---------------------------------- */

  function isAnswered(item, answer) {
    if (!answer) return false;
    switch (item.q.type) {
      case "multiple_choice": return answer.length === 1;
      case "multiple_response": return answer.length === item.q.choose;
      case "ordering": return answer.length === item.shown.length;
      default: return item.q.prompts.every(([p]) => answer[p]);
    }
  }

  /** The fieldset for `item`; `onChange(answer|null)` runs on every change. */
  function answerControls(item, answer, onChange, locked) {
    const build = { multiple_choice: choiceControls, multiple_response: choiceControls,
      ordering: orderingControls, matching: matchingControls }[item.q.type];
    const fieldset = el("fieldset", { class: "mla-answer", "aria-describedby": `stem-${item.number}`, disabled: !!locked });
    build(item, answer, onChange, fieldset);
    return fieldset;
  }

  function choiceControls(item, answer, onChange, fieldset) {
    const multi = item.q.type === "multiple_response";
    const choose = item.q.choose;
    fieldset.append(el("legend", null, multi ? `Choose ${choose} answers` : "Choose one answer"));
    const hint = multi ? el("p", { class: "mla-hint", id: `hint-${item.number}` }) : null;
    const boxes = item.shown.map(([letter, text]) => {
      const id = `q-${item.number}-${letter}`;
      const input = el("input", { type: multi ? "checkbox" : "radio", id, name: `q-${item.number}`, value: letter,
        checked: !!(answer && answer.includes(letter)) });
      return el("div", { class: "mla-option" }, input,
        el("label", { for: id }, el("span", { class: "mla-letter" }, `${letter}.`), " ", rich(text)));
    });
    const inputs = boxes.map((b) => b.querySelector("input"));
    function limit() {
      if (!multi) return;
      const count = inputs.filter((i) => i.checked).length;
      const full = count >= choose;
      inputs.forEach((i) => { if (!fieldset.disabled) i.disabled = full && !i.checked; });
      hint.textContent = full ? `You have chosen ${choose}; clear one to change.` : `Choose ${choose}. Chosen so far: ${count}.`;
    }
    fieldset.addEventListener("change", () => {
      limit();
      const picked = inputs.filter((i) => i.checked).map((i) => i.value);
      onChange(picked.length ? picked : null);
    });
    fieldset.append(el("div", { class: "mla-options" }, boxes));
    if (hint) fieldset.append(hint);
    limit();
  }

  function orderingControls(item, answer, onChange, fieldset) {
    fieldset.append(el("legend", null, "Put the steps in order, first at the top"));
    let touched = !!answer;
    const sequence = answer ? [...answer] : item.shown.map((s) => s[0]);
    const textOf = Object.fromEntries(item.shown);
    const list = el("ol", { class: "mla-steps" });
    const status = el("p", { class: "mla-hint" });
    function refresh() {
      [...list.children].forEach((li, i) => {
        li.querySelector(".mla-up").setAttribute("aria-disabled", String(i === 0));
        li.querySelector(".mla-down").setAttribute("aria-disabled", String(i === list.children.length - 1));
      });
      status.textContent = touched ? `Your order: ${sequence.join(", ")}.`
        : "Not answered yet: move a step, or press Keep this order.";
    }
    function move(letter, delta, control) {
      const from = sequence.indexOf(letter);
      const to = from + delta;
      if (fieldset.disabled || to < 0 || to >= sequence.length) return;
      sequence.splice(from, 1);
      sequence.splice(to, 0, letter);
      const li = list.children[from];
      list.insertBefore(li, delta < 0 ? list.children[to] : list.children[to].nextSibling);
      control.focus(); // moving the node drops focus; keep it on the control that was pressed
      touched = true;
      refresh();
      announce(`Step ${letter} is now at position ${to + 1} of ${sequence.length}.`);
      onChange([...sequence]);
    }
    for (const letter of sequence) {
      const up = button("Move up", { class: "mla-button mla-small mla-up", "aria-label": `Move step ${letter} up` });
      const down = button("Move down", { class: "mla-button mla-small mla-down", "aria-label": `Move step ${letter} down` });
      up.addEventListener("click", () => move(letter, -1, up));
      down.addEventListener("click", () => move(letter, 1, down));
      list.append(el("li", { "data-letter": letter },
        el("span", { class: "mla-step-text" }, el("span", { class: "mla-letter" }, `${letter}.`), " ", rich(textOf[letter])),
        el("span", { class: "mla-step-moves" }, up, down)));
    }
    const keep = button("Keep this order", { class: "mla-button mla-small", onclick: () => {
      if (fieldset.disabled) return;
      touched = true;
      refresh();
      onChange([...sequence]);
    } });
    fieldset.append(list, el("div", { class: "mla-row" }, keep), status);
    refresh();
  }

  function matchingControls(item, answer, onChange, fieldset) {
    fieldset.append(el("legend", null, "Match each prompt with one response"));
    const chosen = Object.assign({}, answer || {});
    const rows = item.q.prompts.map(([prompt, text]) => {
      const select = el("select", { "aria-label": `Response for prompt ${prompt}`, id: `q-${item.number}-p${prompt}` },
        el("option", { value: "" }, "—"),
        item.shown.map(([letter, response]) => el("option", { value: letter, selected: chosen[prompt] === letter },
          `${letter}. ${plain(response)}`)));
      select.addEventListener("change", () => {
        if (select.value) chosen[prompt] = select.value;
        else delete chosen[prompt];
        onChange(Object.keys(chosen).length ? Object.assign({}, chosen) : null);
      });
      return el("li", { class: "mla-prompt" },
        el("span", { class: "mla-prompt-text" }, el("span", { class: "mla-letter" }, `${prompt}.`), " ", rich(text)), select);
    });
    fieldset.append(
      el("p", { class: "mla-sub" }, "Prompts"), el("ul", { class: "mla-prompts" }, rows),
      el("p", { class: "mla-sub" }, "Responses"),
      el("ul", { class: "mla-responses" }, item.shown.map(([letter, response]) =>
        el("li", null, el("span", { class: "mla-letter" }, `${letter}.`), " ", rich(response)))));
  }

  /* ---- feedback: key, explanations, links (review mode and practice) ---------------------- */

  function answerText(item, given) {
    if (item.q.type === "matching") {
      if (!given || !Object.keys(given).length) return "not answered";
      return item.q.prompts.map(([p]) => `${p} → ${given[p] || "—"}`).join(", ");
    }
    return lettersText(given || []);
  }

  function feedback(item, given, level) {
    const q = item.q;
    const keyText = answerText(item, item.key);
    const explanations = q.type === "matching"
      ? q.prompts.map(([p]) => el("li", null, el("span", { class: "mla-letter" }, `${p} → ${item.key[p]}.`), " ",
        rich(q.explanations[p] || "")))
      : item.shown.map(([letter]) => {
        const inKey = item.key.includes(letter);
        return el("li", { class: inKey ? "mla-in-key" : null },
          el("span", { class: "mla-letter" }, `${letter}.`), inKey ? el("span", { class: "mla-tag" }, " (key)") : null,
          " ", rich(q.explanations[item.toBank[letter]] || ""));
      });
    return el("div", { class: "mla-feedback" },
      el("p", null, el("strong", null, "Your answer: "), answerText(item, given)),
      el("p", null, el("strong", null, "Key: "), keyText),
      el(`h${level}`, { class: "mla-h" }, q.type === "matching" ? "Why each match" : "Why each option is right or wrong"),
      el("ul", { class: "mla-explanations" }, explanations),
      el("p", null, el("strong", null, "Where the course teaches it: "), teachesLink(q, { class: "teaches-link" })),
      statusNotes(q),
      docsList(q));
  }

  /** Services the question names that AWS has retired, closed or renamed (from service-status.yml). */
  function statusNotes(q) {
    if (!q.notices || !q.notices.length) return null;
    return el("ul", { class: "mla-status" }, q.notices.map((n) => el("li", null,
      el("strong", null, `${n.name}: ${n.status.toLowerCase()}. `), plain(n.notice), " ",
      el("a", { href: siteRoot() + n.href }, "Service status"))));
  }

  /** The options as shown, read-only, for review mode. */
  function shownOptions(item) {
    const parts = [];
    if (item.q.type === "matching") {
      parts.push(el("ul", { class: "mla-prompts mla-static" }, item.q.prompts.map(([p, text]) =>
        el("li", null, el("span", { class: "mla-letter" }, `${p}.`), " ", rich(text)))));
      parts.push(el("p", { class: "mla-sub" }, "Responses"));
    }
    parts.push(el("ul", { class: "mla-responses" }, item.shown.map(([letter, text]) =>
      el("li", null, el("span", { class: "mla-letter" }, `${letter}.`), " ", rich(text)))));
    return parts;
  }

  /* ---- start screen ----------------------------------------------------------------------- */

  function practiceScopes() {
    const pool = practicePool();
    const count = (test) => pool.filter(test).length;
    const scopes = [["all", `All questions (${pool.length})`]];
    for (const [d, name] of Object.entries(DATA.domains)) {
      scopes.push([`domain:${d}`, `Domain ${d}: ${name} (${count((q) => String(q.domain) === d)})`]);
      for (const [t, task] of Object.entries(DATA.tasks)) {
        if (t.split(".")[0] === d) scopes.push([`task:${t}`, `Task ${t}: ${task} (${count((q) => q.task === t)})`]);
      }
    }
    return scopes;
  }

  function renderStart(focus) {
    stopTimer();
    const size = DATA.examSize;
    const parts = [];
    const current = state.exam;
    if (current) {
      const left = current.deadline - Date.now();
      const answered = current.paper.items.filter((it) => isAnswered(it, current.answers[it.number])).length;
      parts.push(el("section", { class: "mla-box mla-resume", "aria-labelledby": "mla-resume-h" },
        el("h2", { id: "mla-resume-h" }, "Exam in progress"),
        el("p", null, `${examTitle(current.seed)}: ${answered} of ${size} answered, ${formatTime(left)} left. `
          + "The clock keeps running while the page is closed."),
        el("div", { class: "mla-row" },
          button(`Resume ${examTitle(current.seed).toLowerCase()}`, { id: "resume-exam", class: "mla-button mla-primary", onclick: resumeExam }),
          button("Discard it", { id: "discard-exam", onclick: discardExam }))));
    }
    const names = Object.keys(FIXED).sort();
    if (names.length) {
      parts.push(el("section", { class: "mla-box", "aria-labelledby": "mla-fixed-h" },
        heading(2, "Four full mock exams", { id: "mla-fixed-h" }),
        el("p", null, `Mock exams ${names.join(", ")} share no question, so you can take one at the start, one `
          + "half-way and two at the end, and compare. Once you finish one, its questions join Practice mode."),
        el("ul", { class: "mla-fixed" }, names.map((name) => {
          const attempts = state.history.filter((r) => r.seed === name);
          const best = attempts.length ? Math.max(...attempts.map((r) => r.scaled)) : null;
          const status = best === null ? "not taken yet"
            : `taken ${attempts.length} time${attempts.length > 1 ? "s" : ""}, best ${best}`;
          return el("li", null,
            button(`Start mock exam ${name}`, { id: `start-fixed-${name}`, class: "mla-button",
              onclick: () => startExam(name) }),
            el("span", { class: "mla-help" }, ` ${status}`));
        }))));
    }
    const seedInput = el("input", { id: "exam-seed", type: "number", min: "1", max: String(MAX_SEED), step: "1",
      inputmode: "numeric", value: String(current && !isFixed(current.seed) ? current.seed : 1), "aria-describedby": "exam-seed-help" });
    const seedError = el("p", { class: "mla-error", id: "exam-seed-error", hidden: true });
    seedInput.addEventListener("keydown", (event) => {
      if (event.key === "Enter") screen.querySelector("#start-exam").click();
    });
    parts.push(el("section", { class: "mla-box", "aria-labelledby": "mla-exam-h" },
      heading(2, names.length ? "Or a random exam" : "Take a timed exam", { id: "mla-exam-h" }),
      el("p", null, `${size} questions in ${DATA.minutes} minutes, drawn with the exam's domain weights, in all five `
        + "question types: multiple choice, multiple response, ordering, matching and case studies. "
        + `You pass at ${DATA.passMark} on this course's linear ${DATA.scale[0]}–${DATA.scale[1].toLocaleString("en")} `
        + "mapping of the share you get right, which is not AWS's scaling."),
      el("div", { class: "mla-field" },
        el("label", { for: "exam-seed" }, "Exam number"),
        el("div", { class: "mla-row" }, seedInput,
          button("Random exam", { id: "random-seed", onclick: () => {
            seedInput.value = String(1 + Math.floor(Math.random() * 9999));
            seedInput.focus();
          } }))),
      el("p", { class: "mla-help", id: "exam-seed-help" }, "The same number is always the same exam."),
      seedError,
      current ? el("p", { class: "mla-help" }, "Starting a new exam replaces the one in progress.") : null,
      button("Start exam", { id: "start-exam", class: "mla-button mla-primary", onclick: () => {
        const seed = Number(seedInput.value);
        if (!seedInput.value.trim() || !isSeed(seed)) {
          seedError.hidden = false;
          seedError.textContent = "Enter a whole number of 1 or more as the exam number.";
          seedInput.setAttribute("aria-invalid", "true");
          seedInput.setAttribute("aria-describedby", "exam-seed-help exam-seed-error");
          seedInput.focus();
          return;
        }
        startExam(seed);
      } })));
    parts.push(el("section", { class: "mla-box", "aria-labelledby": "mla-practice-h" },
      el("h2", { id: "mla-practice-h" }, "Practise with feedback"),
      el("p", null, "Questions one at a time in a random order, with the key, why every option is right or wrong, "
        + "and a link to the section that teaches it after each one. Not timed."),
      el("div", { class: "mla-field" },
        el("label", { for: "practice-scope" }, "Questions from"),
        el("select", { id: "practice-scope" }, practiceScopes().map(([value, label]) =>
          el("option", { value }, label)))),
      button("Start practice", { id: "start-practice", class: "mla-button mla-primary", onclick: () =>
        startPractice(screen.querySelector("#practice-scope").value) })));
    parts.push(historySection());
    show(parts);
    if (focus) focusHeading();
  }

  function historySection() {
    const results = state.history;
    const list = el("ol", { id: "history", class: "mla-history" }, results.map((r, index) =>
      el("li", null,
        el("span", null, el("time", { datetime: r.date }, formatDate(r.date)),
          ` · ${examTitle(r.seed)} · ${r.scaled} · ${r.passed ? "Pass" : "Fail"}`),
        button("Review", { class: "mla-button mla-small", "aria-label": `Review ${examTitle(r.seed).toLowerCase()} of ${formatDate(r.date)}`,
          onclick: () => openReview(results[index], "all", true) }))));
    return el("section", { class: "mla-box", "aria-labelledby": "mla-history-h" },
      el("h2", { id: "mla-history-h" }, "Past results"),
      results.length ? null : el("p", null, store.ok ? "No exams taken yet." : "No exams taken yet on this page."),
      list,
      button("Clear past results", { id: "clear-history", disabled: !results.length, onclick: () => {
        state.history = [];
        store.remove("history");
        renderStart(false);
        notice("Past results cleared.");
        screen.querySelector("#mla-history-h").setAttribute("tabindex", "-1");
        screen.querySelector("#mla-history-h").focus();
      } }));
  }

  /* ---- exam mode -------------------------------------------------------------------------- */

  function startExam(seed) {
    let paper;
    try {
      paper = drawPaper(seed);
    } catch (e) {
      notice(`${examTitle(seed)} cannot be drawn: ${e.message}`);
      return;
    }
    state.exam = { seed, paper, answers: {}, flags: new Set(), current: 1,
      deadline: Date.now() + DATA.minutes * 60000, started: new Date().toISOString() };
    saveExam();
    notice("");
    startTimer();
    goTo(1);
  }

  function resumeExam() {
    if (!state.exam) return;
    startTimer();
    goTo(state.exam.current);
  }

  function discardExam() {
    state.exam = null;
    store.remove("current");
    renderStart(false);
    notice("The exam in progress was discarded.");
    focusHeading();
  }

  function startTimer() {
    stopTimer();
    state.timer = window.setInterval(tick, 500);
  }

  function stopTimer() {
    if (state.timer) window.clearInterval(state.timer);
    state.timer = 0;
  }

  function tick() {
    const e = state.exam;
    if (!e) return stopTimer();
    const left = e.deadline - Date.now();
    const timer = screen.querySelector("#exam-timer");
    if (timer) {
      const text = formatTime(left);
      if (timer.textContent !== text) timer.textContent = text;
    }
    if (left <= 5 * 60000 && !e.warned) {
      e.warned = true;
      notice("Five minutes left.");
    }
    if (left <= 0) {
      submitExam();
      notice("Time is up: your exam was submitted with the answers you had given.");
    }
    return undefined;
  }

  function answeredCount() {
    const e = state.exam;
    return e.paper.items.filter((it) => isAnswered(it, e.answers[it.number])).length;
  }

  function examBar() {
    const e = state.exam;
    return el("div", { class: "mla-bar" },
      el("span", null, examTitle(e.seed)),
      el("span", null, "Time left ", el("span", { id: "exam-timer", role: "timer" }, formatTime(e.deadline - Date.now()))),
      el("span", null, "Answered ", el("span", { id: "answered-count" }, String(answeredCount())),
        ` of ${e.paper.items.length}`));
  }

  function navLabel(item) {
    const e = state.exam;
    const answered = isAnswered(item, e.answers[item.number]);
    const flagged = e.flags.has(item.number);
    return {
      text: `${item.number}${answered ? " ✓" : ""}${flagged ? " ⚑" : ""}`,
      label: `Question ${item.number}${answered ? ", answered" : ", not answered"}${flagged ? ", flagged" : ""}`,
    };
  }

  function navigator() {
    const e = state.exam;
    return el("nav", { class: "mla-nav", "aria-label": "All questions" },
      el("p", { class: "mla-sub", "aria-hidden": "true" }, "All questions (✓ answered, ⚑ flagged)"),
      el("ol", null, e.paper.items.map((item) => {
        const { text, label } = navLabel(item);
        return el("li", null, button(text, { class: "mla-button mla-navbutton", "aria-label": label,
          "data-number": String(item.number), "aria-current": item.number === e.current ? "step" : null,
          onclick: () => goTo(item.number) }));
      })));
  }

  function refreshStatus(item) {
    const count = screen.querySelector("#answered-count");
    if (count) count.textContent = String(answeredCount());
    const navButton = screen.querySelector(`.mla-navbutton[data-number="${item.number}"]`);
    if (navButton) {
      const { text, label } = navLabel(item);
      navButton.textContent = text;
      navButton.setAttribute("aria-label", label);
    }
  }

  function renderQuestion() {
    const e = state.exam;
    const item = e.paper.items[e.current - 1];
    const total = e.paper.items.length;
    const title = `Question ${item.number} of ${total}`;
    const flag = button(e.flags.has(item.number) ? "Flagged ⚑" : "Flag for review", {
      id: "flag", "aria-pressed": String(e.flags.has(item.number)) });
    flag.addEventListener("click", () => {
      if (e.flags.has(item.number)) e.flags.delete(item.number);
      else e.flags.add(item.number);
      const on = e.flags.has(item.number);
      flag.setAttribute("aria-pressed", String(on));
      flag.textContent = on ? "Flagged ⚑" : "Flag for review";
      saveExam();
      refreshStatus(item);
    });
    const controls = answerControls(item, e.answers[item.number], (answer) => {
      if (answer) e.answers[item.number] = answer;
      else delete e.answers[item.number];
      saveExam();
      refreshStatus(item);
    });
    show(
      examBar(),
      el("section", { class: "mla-question", "aria-labelledby": "mla-q-h" },
        heading(2, title, { id: "mla-q-h" }),
        el("p", { class: "mla-meta" }, typeLabel(item)),
        scenarioBox(item.q),
        stemOf(item),
        controls),
      el("div", { class: "mla-row mla-controls" },
        button("Previous", { id: "prev", disabled: item.number === 1, onclick: () => goTo(item.number - 1) }),
        button("Next", { id: "next", class: "mla-button mla-primary", disabled: item.number === total,
          onclick: () => goTo(item.number + 1) }),
        flag,
        button("Review and submit", { id: "go-review", onclick: renderReviewScreen })),
      navigator());
    return title;
  }

  function typeLabel(item) {
    return {
      multiple_choice: "Multiple choice",
      multiple_response: `Multiple response: choose ${item.q.choose}`,
      ordering: "Ordering",
      matching: "Matching",
    }[item.q.type] + (item.q.caseId ? " · case study" : "");
  }

  function goTo(number) {
    const e = state.exam;
    e.current = Math.min(Math.max(number, 1), e.paper.items.length);
    saveExam();
    const title = renderQuestion();
    focusHeading();
    announce(title);
  }

  /* ---- review screen and submission ------------------------------------------------------- */

  function renderReviewScreen() {
    const e = state.exam;
    const items = e.paper.items;
    const unanswered = items.filter((it) => !isAnswered(it, e.answers[it.number]));
    const flagged = items.filter((it) => e.flags.has(it.number));
    const jumpList = (list, empty) => (list.length
      ? el("ul", { class: "mla-jumps" }, list.map((it) => el("li", null,
        button(`Question ${it.number}`, { class: "mla-button mla-small", onclick: () => goTo(it.number) }))))
      : el("p", null, empty));
    show(
      examBar(),
      el("section", { id: "review-screen", "aria-labelledby": "mla-review-h" },
        heading(2, "Review before you submit", { id: "mla-review-h" }),
        el("p", null, `${items.length - unanswered.length} of ${items.length} answered, ${unanswered.length} unanswered, `
          + `${flagged.length} flagged.`),
        el("h3", null, `Unanswered (${unanswered.length})`),
        jumpList(unanswered, "None: every question has an answer."),
        el("h3", null, `Flagged (${flagged.length})`),
        jumpList(flagged, "None flagged."),
        el("div", { class: "mla-row mla-controls" },
          button(`Back to question ${e.current}`, { id: "back-to-question", onclick: () => goTo(e.current) }),
          button("Submit exam", { id: "submit-exam", class: "mla-button mla-primary", onclick: () => confirmSubmit(unanswered.length) })),
        el("div", { id: "confirm-box" })));
    focusHeading();
    announce("Review before you submit");
  }

  function confirmSubmit(unanswered) {
    const box = screen.querySelector("#confirm-box");
    box.className = "mla-box mla-confirm";
    box.setAttribute("role", "group");
    box.setAttribute("aria-labelledby", "mla-confirm-h");
    box.replaceChildren(
      el("h3", { id: "mla-confirm-h", tabindex: "-1" }, "Submit the exam?"),
      el("p", null, unanswered
        ? `${unanswered} question${unanswered === 1 ? " is" : "s are"} unanswered and will count as wrong. `
          + "You cannot change answers after submitting."
        : "You cannot change answers after submitting."),
      el("div", { class: "mla-row" },
        button("Submit now", { id: "confirm-submit", class: "mla-button mla-primary", onclick: submitExam }),
        button("Keep working", { id: "cancel-submit", onclick: () => {
          box.replaceChildren();
          box.className = "";
          screen.querySelector("#submit-exam").focus();
        } })));
    box.querySelector("h3").focus();
  }

  function submitExam() {
    const e = state.exam;
    if (!e) return;
    stopTimer();
    const result = gradePaper(e.paper, e.answers);
    const record = { date: new Date().toISOString(), seed: e.seed, scaled: result.scaled, passed: result.passed,
      correct: result.correct, total: result.total, answers: e.answers, flags: [...e.flags].sort((a, b) => a - b) };
    state.history.unshift(record);
    state.history.length = Math.min(state.history.length, MAX_HISTORY);
    saveHistory();
    store.remove("current");
    state.exam = null;
    renderResult(record);
  }

  /* ---- score report ----------------------------------------------------------------------- */

  function pct(right, asked) {
    return `${Math.round((100 * right) / asked)}%`;
  }

  function renderResult(record) {
    const paper = drawPaper(record.seed);
    const result = gradePaper(paper, fitAnswers(paper, record.answers));
    const domainRows = Object.keys(DATA.domains).map((d) => {
      const [right, asked] = result.byDomain[d] || [0, 0];
      return el("tr", { "data-domain": d },
        el("th", { scope: "row" }, `${d}. ${DATA.domains[d]}`),
        el("td", null, `${right}/${asked}`), el("td", null, asked ? pct(right, asked) : "—"));
    });
    const taskRows = Object.keys(DATA.tasks).filter((t) => result.byTask[t]).map((t) => {
      const [right, asked] = result.byTask[t];
      return el("tr", { "data-task": t },
        el("th", { scope: "row" }, `${t} ${DATA.tasks[t]}`),
        el("td", null, `${right}/${asked}`), el("td", null, pct(right, asked)));
    });
    const table = (id, caption, first, rows) => el("div", { class: "mla-table-wrap" },
      el("table", { id, class: "mla-table" }, el("caption", null, caption),
        el("thead", null, el("tr", null, el("th", { scope: "col" }, first),
          el("th", { scope: "col" }, "Right"), el("th", { scope: "col" }, "Share"))),
        el("tbody", null, rows)));
    const byHref = new Map(paper.items.map((it) => [it.q.teaches.href, it.q]));
    show(el("section", { id: "exam-result", "aria-labelledby": "mla-result-h" },
      heading(2, `Score report: ${examTitle(record.seed).toLowerCase()}`, { id: "mla-result-h" }),
      el("p", { class: `mla-score ${result.passed ? "mla-pass" : "mla-fail"}` },
        el("span", { id: "score" }, String(result.scaled)), " on the 100–1,000 scale: ",
        el("strong", { id: "pass-fail" }, result.passed ? "Pass" : "Fail"),
        ` (${result.passed ? "✓" : "✗"} pass mark ${DATA.passMark})`),
      el("p", null, `${result.correct} of ${result.total} correct (${result.correct}/${result.total}). `
        + "The score maps the share correct linearly onto 100–1,000: this course's mapping, not AWS's, "
        + "so read it as an estimate."),
      table("by-domain", "By domain", "Domain", domainRows),
      table("by-task", "By task statement", "Task statement", taskRows),
      el("h3", null, "Sections to revisit, most missed first"),
      result.revisit.length
        ? el("ol", { id: "revisit" }, result.revisit.map(([href, count]) => {
          const q = byHref.get(href);
          return el("li", null, teachesLink(q), ` (${count} missed)`);
        }))
        : el("p", null, "Nothing: every question was right."),
      el("div", { class: "mla-row mla-controls" },
        button("Review answers", { id: "review-answers", class: "mla-button mla-primary",
          onclick: () => openReview(record, "all", true) }),
        button("Back to start", { id: "back-to-start", onclick: () => renderStart(true) }))));
    focusHeading();
    announce(`Score report: ${result.scaled}, ${result.passed ? "pass" : "fail"}`);
  }

  /* ---- review mode ------------------------------------------------------------------------ */

  function openReview(record, filter, focus) {
    const paper = drawPaper(record.seed);
    const answers = fitAnswers(paper, record.answers);
    const result = gradePaper(paper, answers);
    const flags = new Set(record.flags);
    const keep = {
      all: () => true,
      wrong: (it) => !result.verdicts[it.number],
      flagged: (it) => flags.has(it.number),
    }[filter];
    const counts = { all: paper.items.length, wrong: paper.items.filter((it) => !result.verdicts[it.number]).length,
      flagged: flags.size };
    const filters = el("fieldset", { class: "mla-filter" }, el("legend", null, "Show"),
      ["all", "wrong", "flagged"].map((name) => el("span", { class: "mla-option" },
        el("input", { type: "radio", name: "review-filter", id: `filter-${name}`, value: name, checked: name === filter,
          onchange: () => {
            openReview(record, name, false);
            screen.querySelector(`#filter-${name}`).focus();
            announce(`Showing ${counts[name]} question${counts[name] === 1 ? "" : "s"}`);
          } }),
        el("label", { for: `filter-${name}` }, `${name[0].toUpperCase()}${name.slice(1)} (${counts[name]})`))));
    const shown = paper.items.filter(keep);
    show(el("section", { id: "review-mode", "aria-labelledby": "mla-rm-h" },
      heading(2, `Review: ${examTitle(record.seed).toLowerCase()}, ${record.scaled} (${record.passed ? "Pass" : "Fail"})`, { id: "mla-rm-h" }),
      filters,
      shown.length ? null : el("p", null, "No questions to show."),
      shown.map((it) => reviewItem(it, answers[it.number], result.verdicts[it.number], flags.has(it.number))),
      el("div", { class: "mla-row mla-controls" },
        button("Score report", { id: "to-score", onclick: () => renderResult(record) }),
        button("Back to start", { id: "back-to-start", onclick: () => renderStart(true) }))));
    if (focus) {
      focusHeading();
      announce(`Review of ${examTitle(record.seed).toLowerCase()}`);
    }
  }

  function reviewItem(item, given, right, flagged) {
    const verdict = right ? "right" : (given ? "wrong" : "not answered");
    return el("article", { class: `mla-review-item ${right ? "mla-right" : "mla-wrong"}`,
      "aria-labelledby": `rv-${item.number}` },
      el("h3", { id: `rv-${item.number}` }, `Question ${item.number}: ${verdict}${flagged ? " (flagged ⚑)" : ""}`),
      el("p", { class: "mla-meta" }, `${typeLabel(item)} · Task ${item.q.task}`),
      scenarioBox(item.q),
      stemOf(item),
      shownOptions(item),
      feedback(item, given, 4));
  }

  /* ---- practice mode ---------------------------------------------------------------------- */

  function startPractice(scope) {
    const [kind, id] = scope.split(":");
    const pool = practicePool().filter((q) => kind === "all" || (kind === "domain" ? String(q.domain) === id : q.task === id));
    if (!pool.length) {
      notice("No questions in that scope yet.");
      return;
    }
    const rng = mulberry32(1 + Math.floor(Math.random() * MAX_SEED));
    const items = shuffle(unitsOf(pool), rng).flat()
      .map((q, i) => makeItem(q, i + 1, shuffle(q.options.map((o) => o[0]), rng)));
    const label = practiceScopes().find(([value]) => value === scope);
    state.practice = { label: label ? label[1].replace(/ \(\d+\)$/, "") : scope, items, index: 0,
      answer: null, checked: false, right: 0, done: 0 };
    notice("");
    renderPractice();
  }

  function renderPractice() {
    const p = state.practice;
    if (p.index >= p.items.length) return renderPracticeEnd();
    const item = p.items[p.index];
    const title = `Practice question ${p.index + 1} of ${p.items.length}`;
    const controls = answerControls(item, p.answer, (answer) => { p.answer = answer; }, p.checked);
    const verdictRight = p.checked && isCorrect(item, p.answer);
    show(
      el("div", { class: "mla-bar" }, el("span", null, p.label),
        el("span", { id: "practice-tally" }, `${p.right} of ${p.done} right`)),
      el("section", { class: "mla-question", "aria-labelledby": "mla-p-h" },
        heading(2, title, { id: "mla-p-h" }),
        el("p", { class: "mla-meta" }, `${typeLabel(item)} · Task ${item.q.task}`),
        scenarioBox(item.q), stemOf(item), controls),
      p.checked ? el("section", { class: `mla-box ${verdictRight ? "mla-right" : "mla-wrong"}`, "aria-labelledby": "mla-verdict" },
        el("h3", { id: "mla-verdict", tabindex: "-1" }, verdictRight ? "Right." : (p.answer ? "Wrong." : "Wrong. You did not answer.")),
        feedback(item, p.answer, 4)) : null,
      el("div", { class: "mla-row mla-controls" },
        p.checked ? null : button("Check answer", { id: "check-answer", class: "mla-button mla-primary", onclick: checkPractice }),
        p.checked ? button(p.index + 1 < p.items.length ? "Next question" : "Finish", {
          id: "next", class: "mla-button mla-primary", onclick: () => {
            p.index += 1;
            p.answer = null;
            p.checked = false;
            const next = renderPractice();
            focusHeading();
            announce(next || "Practice finished");
          } }) : null,
        button("End practice", { id: "end-practice", onclick: renderPracticeEnd })));
    return title;
  }

  function checkPractice() {
    const p = state.practice;
    const item = p.items[p.index];
    const right = isCorrect(item, p.answer);
    p.checked = true;
    p.done += 1;
    p.right += right ? 1 : 0;
    renderPractice();
    screen.querySelector("#mla-verdict").focus();
    announce(`${right ? "Right" : "Wrong"}. ${p.right} of ${p.done} right.`);
  }

  function renderPracticeEnd() {
    const p = state.practice;
    show(el("section", { class: "mla-box", "aria-labelledby": "mla-pe-h" },
      heading(2, "Practice finished", { id: "mla-pe-h" }),
      el("p", { id: "practice-tally" }, `${p.right} of ${p.done} right (${p.label}).`),
      el("div", { class: "mla-row" },
        button("Back to start", { id: "back-to-start", class: "mla-button mla-primary", onclick: () => renderStart(true) }))));
    focusHeading();
    announce("Practice finished");
    return undefined;
  }

  /* ---- start-up --------------------------------------------------------------------------- */

  function restore() {
    const problems = [];
    const history = loadHistory();
    if (history === undefined) problems.push("history");
    state.history = history || [];
    const saved = load("current", isCurrentExam);
    if (saved === undefined) problems.push("exam");
    if (saved) {
      try {
        const paper = drawPaper(saved.seed);
        state.exam = { seed: saved.seed, paper, answers: fitAnswers(paper, saved.answers),
          flags: new Set(saved.flags), current: saved.current, deadline: saved.deadline,
          started: typeof saved.started === "string" ? saved.started : new Date().toISOString() };
      } catch (e) {
        store.remove("current");
        problems.push("exam");
      }
    }
    if (problems.includes("exam")) notice("Your saved exam could not be read and was cleared.");
    else if (problems.length) notice("Your past results could not be read and were cleared.");
    if (!store.ok) {
      notice("This browser does not let the page use its storage, so nothing will be remembered: "
        + "a reload loses an exam in progress, and results last only until you leave the page.");
    }
    if (state.exam && state.exam.deadline <= Date.now()) {
      submitExam(); // its time ran out while the page was closed
      notice(`The time of ${examTitle(state.history[0].seed).toLowerCase()} ran out while the page was closed: `
        + "it was submitted with the answers you had given.");
      return false;
    }
    return true;
  }

  function init() {
    if (!host) return;
    noticeRegion = el("div", { id: "exam-notice", class: "mla-notice", role: "status", "aria-live": "polite" });
    liveRegion = el("div", { class: "mla-sr-only", "aria-live": "polite", "aria-atomic": "true" });
    screen = el("div", { class: "mla-screen" });
    host.replaceChildren(noticeRegion, liveRegion, screen);
    host.classList.add("mla-ready");
    if (!DATA || !Array.isArray(DATA.questions) || !DATA.questions.length) {
      show(el("p", { class: "mla-error" }, "The exam's questions did not load, so the exam cannot start."));
      return;
    }
    if (restore()) renderStart(false);
  }

  window.MLA_EXAM = {
    drawExam(seed) {
      return drawPaper(isFixed(seed) ? seed : Number(seed)).items.map((it) => ({ number: it.number, id: it.q.id, order: [...it.order] }));
    },
    grade(seed, answers) {
      const r = gradePaper(drawPaper(isFixed(seed) ? seed : Number(seed)), answers || {});
      return { correct: r.correct, total: r.total, scaled: r.scaled, passed: r.passed,
        byDomain: r.byDomain, byTask: r.byTask, revisit: r.revisit };
    },
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
