import { maskQuotedSecrets } from "../../src/config/secrets";
import { configFileWriter, problemsOf } from "../helpers/config";

const SECRET = "Sup3rS3cret";

describe("a config file's syntax error never repeats a secret it quotes", () => {
  const { write } = configFileWriter();

  it("masks the value of a secret setting on the line the YAML parser quotes", () => {
    const file = write("broken.yaml", `alerting:\n  email:\n    smtp_pass: ${SECRET}: oops\n    smtp_user: x\n`);
    const problems = problemsOf({}, file);
    expect(problems).toEqual([
      `${file}: not valid YAML (Nested mappings are not allowed in compact mappings at line 3, column 16: smtp_pass: ***)`,
    ]);
  });

  it("masks the password of a URL the YAML parser quotes, whatever its setting", () => {
    const file = write("url.yaml", `targets:\n  - name: db\n    url: http://admin:${SECRET}@db.example.com: oops\n`);
    expect(problemsOf({}, file)).toEqual([
      `${file}: not valid YAML (Nested mappings are not allowed in compact mappings at line 3, column 10: url: http://***@db.example.com: oops ^)`,
    ]);
  });
});

describe("a JSON config file's syntax error quotes none of the file", () => {
  const { write } = configFileWriter();

  it("says what is wrong without the stretch of text V8 quotes, which can cut a secret's key off", () => {
    const file = write("broken.json", `{"alerting": {"slack": {"api_token": ${SECRET}-long-enough}}}`);
    expect(problemsOf({}, file)).toEqual([
      `${file}: not valid JSON (an unexpected character, not quoted here as the file may hold secrets)`,
    ]);
  });

  it("keeps the position V8 gives when it quotes nothing", () => {
    const file = write("trailing-comma.json", `{"port": 9100,}`);
    const [problem] = problemsOf({}, file);
    // Node 22 adds "(line 1 column 15)" after the position.
    expect(
      problem.startsWith(`${file}: not valid JSON (Expected double-quoted property name in JSON at position 14`),
    ).toBe(true);
  });
});

describe("maskQuotedSecrets", () => {
  it.each([
    [`"api_token": "${SECRET}\\"x", "port": 1`, `"api_token": "***", "port": 1`],
    [`webhook_url=https://hooks.example.com/${SECRET}`, "webhook_url=***"],
    [`  MEMSNAP_API_TOKEN: ${SECRET}, next`, "  MEMSNAP_API_TOKEN: ***, next"],
    [`url: http://user:${SECRET}@relay.internal/`, "url: http://***@relay.internal/"],
  ])("masks %j", (text, masked) => {
    expect(maskQuotedSecrets(text)).toBe(masked);
  });

  it("leaves the rest of the message alone", () => {
    expect(maskQuotedSecrets("port: high at line 1, column 7")).toBe("port: high at line 1, column 7");
  });
});
