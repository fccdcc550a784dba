/**
 * ESLint rule: every file lives in a "room" (architecture.md §2) and may import only from
 * the rooms, Node built-ins and npm packages its room allows. Modelled on Signal Desktop's
 * file-suffix rule and VS Code's code-layering rule: the boundary holds because lint fails,
 * not because someone remembers it.
 */
import path from 'node:path';
import { builtinModules } from 'node:module';

const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/** room → what it may import. `packages`: '*' (any) or a list; `deniedPackages` wins. */
export const ROOMS = {
  'src-shared': { rooms: ['src-shared'], node: false, packages: ['zod'] },
  'native-bindings': { rooms: ['native-bindings', 'src-shared'], node: true, packages: ['pcsc-mini'] },
  simulators: {
    rooms: ['simulators', 'src-shared', 'src-main/card'],
    node: true,
    packages: '*',
    deniedPackages: ['pcsc-mini', 'electron'],
  },
  'src-main': {
    rooms: ['src-main', 'src-shared', 'native-bindings', 'simulators'],
    node: true,
    packages: '*',
    deniedPackages: ['pcsc-mini'],
    // Electron itself only in the thin shell adapter (the rest runs under plain Node).
    electronOnlyUnder: 'src-main/shell',
  },
  'src-preload': { rooms: ['src-preload', 'src-shared'], node: false, packages: ['electron'] },
  'src-renderer': {
    rooms: ['src-renderer', 'src-shared'],
    node: false,
    packages: '*',
    deniedPackages: ['pcsc-mini', 'electron', 'ws'],
  },
};

const ROOM_NAMES = Object.keys(ROOMS);

function roomOf(relative) {
  const norm = relative.split(path.sep).join('/');
  // Longest prefix first so 'src-main/card' can be a target room without being a source room.
  for (const name of ROOM_NAMES) if (norm === name || norm.startsWith(`${name}/`)) return name;
  return undefined;
}

function packageName(spec) {
  if (spec.startsWith('@')) return spec.split('/').slice(0, 2).join('/');
  return spec.split('/')[0];
}

function isTargetAllowed(allowedRooms, targetRel) {
  const norm = targetRel.split(path.sep).join('/');
  return allowedRooms.some((r) => norm === r || norm.startsWith(`${r}/`));
}

export default {
  rules: {
    'room-boundaries': {
      meta: {
        type: 'problem',
        docs: { description: 'Enforce the import rules of each folder (architecture.md §2)' },
        schema: [{ type: 'object', properties: { root: { type: 'string' } }, additionalProperties: false }],
      },
      create(context) {
        const root = context.options[0]?.root ?? context.cwd;
        const file = context.filename;
        const relFile = path.relative(root, file);
        const room = roomOf(relFile);
        if (!room) return {};
        const rules = ROOMS[room];

        function check(node, spec) {
          if (typeof spec !== 'string') return;
          if (spec.startsWith('.') || spec.startsWith('/')) {
            const target = path.relative(root, path.resolve(path.dirname(file), spec));
            if (target.startsWith('..')) {
              context.report({ node, message: `'${spec}' leaves the repository.` });
              return;
            }
            if (!isTargetAllowed(rules.rooms, target)) {
              context.report({
                node,
                message: `${room} may not import '${spec}' (${target.split(path.sep).join('/')}): ${room} may import only ${rules.rooms.join(', ')}.`,
              });
            }
            return;
          }
          if (builtins.has(spec)) {
            if (!rules.node) context.report({ node, message: `${room} runs without Node: it may not import '${spec}'.` });
            return;
          }
          const pkg = packageName(spec);
          if (rules.deniedPackages?.includes(pkg) || (rules.packages !== '*' && !rules.packages.includes(pkg))) {
            const why = pkg === 'pcsc-mini' ? ' Only native-bindings talks to pcsc-mini.' : '';
            context.report({ node, message: `${room} may not import the package '${pkg}'.${why}` });
            return;
          }
          if (pkg === 'electron' && rules.electronOnlyUnder) {
            const norm = relFile.split(path.sep).join('/');
            if (!norm.startsWith(`${rules.electronOnlyUnder}/`)) {
              context.report({ node, message: `Only ${rules.electronOnlyUnder} may import 'electron'; inject Electron objects elsewhere.` });
            }
          }
        }

        return {
          ImportDeclaration: (node) => check(node, node.source.value),
          ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
          ExportAllDeclaration: (node) => check(node, node.source.value),
          ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
          CallExpression: (node) => {
            if (node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments[0]?.type === 'Literal') {
              check(node, node.arguments[0].value);
            }
          },
        };
      },
    },
  },
};
