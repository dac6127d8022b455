/**
 * The "Show customization report" webview: one panel, reused, beside the editor. Scripts are off;
 * the HTML (./report) carries the images as data: URLs under a CSP that allows nothing else.
 */
import { randomBytes } from "crypto";
import * as vscode from "vscode";
import { CustomizationReport, renderReportHtml } from "./report";

export class ReportPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;

  show(report: CustomizationReport, uri: string, line: number): void {
    const name = decodeURIComponent(uri.slice(uri.lastIndexOf("/") + 1));
    const title = `Customization report: ${name}:${line}`;
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel("chameleon.report", title, vscode.ViewColumn.Beside, {
        enableScripts: false,
        retainContextWhenHidden: false,
      });
      this.panel.onDidDispose(() => (this.panel = undefined));
    }
    this.panel.title = title;
    this.panel.webview.html = renderReportHtml(report, title, randomBytes(16).toString("hex"));
    this.panel.reveal(undefined, true);
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
