// Renders /api/v1/openapi.json as a reference page. It runs under the
// server's Content-Security-Policy: a script from 'self', no inline code, no
// other origin. It builds elements rather than HTML strings, so text from
// the document is never parsed as markup.
"use strict";

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else e.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

function resolve(doc, obj) {
  let seen = 0;
  while (obj && obj.$ref && seen++ < 20) {
    const parts = obj.$ref.replace(/^#\//, "").split("/");
    obj = parts.reduce((o, p) => (o ? o[p] : undefined), doc);
  }
  return obj || {};
}

function refName(ref) { return ref.split("/").pop(); }

// typeText words a schema in one line: a named schema by its name, arrays
// and maps by their items.
function typeText(s) {
  if (!s) return "any";
  if (s.$ref) return refName(s.$ref);
  if (s.anyOf || s.oneOf) return (s.anyOf || s.oneOf).map(typeText).join(" | ");
  let t = Array.isArray(s.type) ? s.type.join(" | ") : (s.type || "any");
  if (s.type === "array" || (Array.isArray(s.type) && s.type.includes("array"))) t = "array of " + typeText(s.items);
  else if (s.type === "object" && s.additionalProperties && typeof s.additionalProperties === "object") t = "map of " + typeText(s.additionalProperties);
  if (s.format) t += " (" + s.format + ")";
  if (s.enum) t += ": " + s.enum.join(", ");
  return t;
}

// example builds a skeleton value of a schema, so a reader sees the shape.
function example(doc, s, depth) {
  if (depth > 4) return "…";
  if (s && s.$ref) s = resolve(doc, s);
  if (!s) return null;
  if (s.anyOf || s.oneOf) return example(doc, (s.anyOf || s.oneOf)[0], depth + 1);
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  if (s.enum) return s.enum[0];
  switch (type) {
    case "object": {
      const out = {};
      if (s.properties) for (const [k, v] of Object.entries(s.properties)) out[k] = example(doc, v, depth + 1);
      else if (s.additionalProperties && typeof s.additionalProperties === "object") out["…"] = example(doc, s.additionalProperties, depth + 1);
      return out;
    }
    case "array": return [example(doc, s.items, depth + 1)];
    case "integer": return 0;
    case "number": return 0.0;
    case "boolean": return false;
    case "string": return s.format ? "<" + s.format + ">" : "";
  }
  return null;
}

function schemaBlock(doc, schema) {
  const box = el("div");
  if (schema.$ref) box.append(el("div", {}, "Schema: ", el("a", { href: "#schema-" + refName(schema.$ref), class: "schema-name" }, refName(schema.$ref))));
  else box.append(el("div", {}, typeText(schema)));
  const d = el("details", {}, el("summary", {}, "示例结构 Example shape"));
  d.append(el("pre", {}, JSON.stringify(example(doc, schema, 0), null, 2)));
  box.append(d);
  return box;
}

function content(doc, c) {
  const box = el("div");
  for (const [media, m] of Object.entries(c || {})) {
    box.append(el("div", {}, el("code", {}, media)));
    if (m.schema) box.append(schemaBlock(doc, m.schema));
  }
  return box;
}

function operation(doc, path, method, op) {
  const card = el("article", { class: "op-card", id: "op-" + (op.operationId || method + path) });
  card.append(el("h3", {}, el("span", { class: "method " + method }, method.toUpperCase()), path));
  card.append(el("p", { class: "summary" }, op.summary || ""));
  if (op.description) card.append(el("p", {}, op.description));
  const sec = op.security || doc.security || [];
  const needs = sec.length > 0 && !sec.some((r) => Object.keys(r).length === 0);
  const optional = sec.length > 0 && !needs;
  card.append(el("div", { class: "auth" }, needs ? "需要令牌 Bearer token required" : optional ? "令牌可选 Bearer token optional" : "公开 Public"));

  const params = (op.parameters || []).map((p) => resolve(doc, p));
  if (params.length) {
    card.append(el("h4", {}, "参数 Parameters"));
    const t = el("table", {}, el("tr", {}, el("th", {}, "name"), el("th", {}, "in"), el("th", {}, "type"), el("th", {}, "description")));
    for (const p of params) t.append(el("tr", {}, el("td", {}, el("code", {}, p.name), p.required ? " *" : ""), el("td", {}, p.in), el("td", {}, typeText(p.schema)), el("td", {}, p.description || "")));
    card.append(t);
  }
  if (op.requestBody) {
    const rb = resolve(doc, op.requestBody);
    card.append(el("h4", {}, "请求体 Request body" + (rb.required ? "" : " (optional)")));
    card.append(content(doc, rb.content));
  }
  card.append(el("h4", {}, "响应 Responses"));
  const t = el("table");
  for (const [code, r0] of Object.entries(op.responses || {})) {
    const r = resolve(doc, r0);
    // The shared error answers all have the Error shape: a link says so
    // without repeating it under every operation.
    const body = r0.$ref ? el("div", {}, "→ ", el("a", { href: "#schema-Error" }, "Error")) : content(doc, r.content);
    t.append(el("tr", {}, el("td", { class: "status s" + code[0] }, code), el("td", {}, r.description || "", body)));
  }
  card.append(t);
  return card;
}

function schemaSection(doc) {
  const sec = el("section", { class: "tag", id: "schemas" }, el("h2", {}, "数据结构 Schemas"));
  const schemas = (doc.components && doc.components.schemas) || {};
  for (const name of Object.keys(schemas).sort()) {
    const s = schemas[name];
    const card = el("article", { class: "op-card", id: "schema-" + name }, el("h3", {}, name));
    if (s.description) card.append(el("p", {}, s.description));
    if (s.properties) {
      const req = new Set(s.required || []);
      const t = el("table", {}, el("tr", {}, el("th", {}, "field"), el("th", {}, "type"), el("th", {}, "description")));
      for (const [k, v] of Object.entries(s.properties)) {
        const type = v.$ref ? el("a", { href: "#schema-" + refName(v.$ref) }, refName(v.$ref)) : typeText(v);
        t.append(el("tr", {}, el("td", {}, el("code", {}, k), req.has(k) ? " *" : ""), el("td", {}, type), el("td", {}, v.description || "")));
      }
      card.append(t);
    } else {
      card.append(el("div", {}, typeText(s)));
    }
    sec.append(card);
  }
  return sec;
}

function render(doc) {
  document.getElementById("info").textContent = doc.info.title + " — " + (doc.info.description || "");
  const main = document.getElementById("content");
  const toc = document.getElementById("toc");
  main.textContent = "";
  const byTag = new Map();
  for (const t of doc.tags || []) byTag.set(t.name, []);
  for (const [path, item] of Object.entries(doc.paths || {})) {
    for (const method of ["get", "post", "put", "delete"]) {
      const op = item[method];
      if (!op) continue;
      const tag = (op.tags && op.tags[0]) || "Other";
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push([path, method, op]);
    }
  }
  const tagInfo = new Map((doc.tags || []).map((t) => [t.name, t.description || ""]));
  for (const [tag, ops] of byTag) {
    if (!ops.length) continue;
    const id = "tag-" + tag.replace(/\W+/g, "-");
    const desc = tagInfo.get(tag) || "";
    const zh = desc.split(" — ")[0];
    const section = el("section", { class: "tag", id }, el("h2", {}, zh ? zh + " " : "", el("span", { class: "en" }, tag)));
    if (desc.includes(" — ")) section.append(el("p", {}, desc.split(" — ").slice(1).join(" — ")));
    toc.append(el("a", { href: "#" + id }, (zh ? zh + " · " : "") + tag));
    for (const [path, method, op] of ops) {
      section.append(operation(doc, path, method, op));
      toc.append(el("a", { class: "op", href: "#op-" + (op.operationId || method + path), title: op.summary || "" },
        method.toUpperCase() + " " + path.replace(/^\/api\/v1(?=\/)/, "")));
    }
    main.append(section);
  }
  toc.append(el("a", { href: "#schemas" }, "数据结构 · Schemas"));
  main.append(schemaSection(doc));
  // The page was empty when the browser looked for the #fragment.
  const target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
  if (target) target.scrollIntoView();
}

document.addEventListener("DOMContentLoaded", () => {
  fetch("/api/v1/openapi.json", { headers: { Accept: "application/json" } })
    .then((r) => { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
    .then(render)
    .catch((e) => { document.getElementById("status").textContent = "无法加载文档 Cannot load the document: " + e.message; });
});
