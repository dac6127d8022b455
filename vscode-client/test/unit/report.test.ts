import { strict as assert } from "node:assert";
import { test } from "node:test";
import { escapeHtml, flattenMetrics, formatValue, headline, isBase64, isReport, renderReportHtml } from "../../src/report";

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).toString("base64");

test("nested metrics flatten to dotted keys in order", () => {
  assert.deepEqual(flattenMetrics({ generic: { incorrect: 0.3 }, customized: { incorrect: 0.1 }, n: 200 }), [
    ["generic.incorrect", 0.3],
    ["customized.incorrect", 0.1],
    ["n", 200],
  ]);
  assert.deepEqual(flattenMetrics(null), []);
});

test("values: 4 significant digits for fractions, integers as is", () => {
  assert.equal(formatValue(0.123456), "0.1235");
  assert.equal(formatValue(200), "200");
  assert.equal(formatValue([1, 2]), "[1,2]");
  assert.equal(formatValue("x"), "x");
});

test("HTML is escaped everywhere the server's text lands", () => {
  assert.equal(escapeHtml(`<a href="x">&'</a>`), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
  const html = renderReportHtml({ modelId: "<script>", metrics: { "<b>": "</td>" }, reportPng: null, curvesPng: null }, "T", "n0nce");
  assert.ok(!html.includes("<script>"));
  assert.ok(html.includes("&lt;script&gt;"));
  assert.ok(html.includes("<th>&lt;b&gt;</th><td>&lt;/td&gt;</td>"));
});

test("images become data: URLs only for real base64; missing ones are said so", () => {
  const html = renderReportHtml({ modelId: "m1", metrics: { rate: 0.25 }, reportPng: PNG, curvesPng: "not base64!" }, "T", "abc");
  assert.ok(html.includes(`src="data:image/png;base64,${PNG}"`));
  assert.ok(html.includes(`<p class="missing" id="curves-png">Training curves: not available.</p>`));
  assert.ok(html.includes("img-src data:"), "the CSP allows data: images only");
  assert.ok(html.includes(`style-src 'nonce-abc'`));
  assert.ok(isBase64(PNG));
  assert.ok(!isBase64(""));
});

test("a report is recognised by its contract keys", () => {
  assert.ok(isReport({ modelId: "m-1", metrics: null, reportPng: null, curvesPng: null }));
  assert.ok(!isReport({ error: "No customized model", modelId: null, metrics: null, reportPng: null, curvesPng: null }));
  assert.ok(!isReport(null));
  assert.ok(!isReport({ jobId: "x" }));
});

test("a partial report says why parts are missing", () => {
  const html = renderReportHtml({ modelId: "m1", metrics: null, reportPng: null, curvesPng: null, error: "trainer <down>" }, "T", "n");
  assert.ok(html.includes(`<p id="error" class="missing">trainer &lt;down&gt;</p>`));
  assert.ok(html.includes(`<p id="metrics" class="missing">No metrics yet.</p>`));
});

test("the headline compares generic and customized incorrect-decision rates, with the baselines", () => {
  assert.equal(
    headline({ generic_error: 0.29, customized_error: 0.1325, calibrated_error: 0.2, basic_error: 0.15 }),
    "Incorrect decisions: generic 29.0% → customized 13.3% (calibrated 20.0%, basic 15.0%)",
  );
  assert.equal(headline({ generic_error: 0.3, customized_error: 0.1 }), "Incorrect decisions: generic 30.0% → customized 10.0%");
  assert.equal(headline({ customized_error: 0.1 }), null);
  assert.equal(headline(null), null);
  const html = renderReportHtml({ modelId: "m", metrics: { generic_error: 0.3, customized_error: 0.1 }, reportPng: null, curvesPng: null }, "T", "n");
  assert.ok(html.includes(`<p id="headline"><strong>Incorrect decisions: generic 30.0% → customized 10.0%</strong></p>`));
  assert.ok(html.indexOf('id="report-png"') < html.indexOf('id="metrics"'), "the charts come before the table");
});
