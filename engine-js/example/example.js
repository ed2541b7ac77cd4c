// Uses the engine module as a course page would: one import, plain objects in and out.
import init, { decide, matrix, explain, lint } from './kms_engine.js';

await init();

const scenario = {
  name: 'Two users, one key',
  principals: [
    { name: 'Alice', policies: [{ name: 'UseKeys', document: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: '*' }],
    } }] },
    { name: 'Charlie', policies: [{ name: 'EncryptOnly', document: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*' }],
    } }] },
  ],
  keys: [{ name: 'CMK-A' }],
};

function cell(tag, text) {
  const element = document.createElement(tag);
  element.textContent = text;
  return element;
}

const table = document.getElementById('matrix');
const result = matrix(scenario, ['kms:Encrypt', 'kms:Decrypt']);
const header = document.createElement('tr');
header.append(cell('th', ''), ...result.actions.map((a) => cell('th', `CMK-A ${a}`)));
table.append(header);
for (const principal of result.principals) {
  const row = document.createElement('tr');
  row.append(cell('th', principal));
  for (const c of result.cells.filter((c) => c.principal === principal)) {
    row.append(cell('td', `${c.decision} (${c.reason})`));
  }
  table.append(row);
}

const request = { principal: 'Charlie', key: 'CMK-A', action: 'kms:Decrypt' };
const { decision } = decide(scenario, request);
const why = explain(scenario, request);
document.getElementById('why').textContent = `${decision}: ${why.summary}`;

const policy = '{\n  "Version": "2012-10-17",\n  "Statement": [{"Effect": "Allow", "Action": "kms:Encrpyt", "Resource": "*"}]\n}';
const list = document.getElementById('lint');
for (const d of lint(policy)) {
  list.append(cell('li', `${d.start.line}:${d.start.column} ${d.severity}: ${d.message}`));
}

try {
  decide(scenario, { principal: 'Mallory', key: 'CMK-A', action: 'kms:Decrypt' });
} catch (error) {
  list.append(cell('li', `thrown: ${error.name} at ${error.path}: ${error.message}`));
}
