#!/usr/bin/env python3
"""Find tracepoint references reachable from KVM-HV real-mode entry points.

usage: realmode-trace-check.py OBJDUMP RMHANDLERS.S OBJ... [-- BASELINE_OBJ...]

The roots are the functions that the POWER7/8 real-mode assembly
(book3s_hv_rmhandlers.S) calls with `bl` and the hcall_real_table targets.
From them the call graph is followed through the R_PPC64_REL24 relocations
of the given objects (objdump -dr).  A reachable function that references a
tracepoint symbol (__traceiter_*, __tracepoint_*, static-call keys, ...) is
reported.  With a baseline object list, only references the baseline does
not have are an error; the exit status is 1 then, 0 otherwise.
"""
import re
import subprocess
import sys

TRACE_SYM = re.compile(r'^(__traceiter_|__tracepoint_|__SCK__tp_func_|'
                       r'__SCT__tp_func_|__bpf_trace_|trace_event_raw_event_|'
                       r'perf_trace_|trace_event_)')
FUNC = re.compile(r'^([0-9a-f]+) <([^>]+)>:$')
SECTION = re.compile(r'^Disassembly of section (\S+):$')
RELOC = re.compile(r'^\s+([0-9a-f]+): (R_PPC64_\w+)\s+(\S+)$')


def roots(rmhandlers):
    text = open(rmhandlers).read()
    names = set(re.findall(r'^\s*bl\s+([A-Za-z_]\w*)\s*$', text, re.M))
    names |= set(re.findall(r'DOTSYM\((\w+)\)\s*-\s*hcall_real_table', text))
    names -= {'hcall_real_table', 'hcall_real_table_end'}
    return names


def parse(objdump, objs):
    """Return (edges, refs): function -> callees, function -> trace syms."""
    edges, refs = {}, {}
    for obj in objs:
        out = subprocess.run([objdump, '-dr', '--no-show-raw-insn', obj],
                             check=True, capture_output=True,
                             text=True).stdout
        section, func = None, None
        starts = {}          # section -> [(addr, func)]
        pending = []         # (func, section, offset) for section+off calls
        for line in out.splitlines():
            m = SECTION.match(line)
            if m:
                section, func = m.group(1), None
                continue
            m = FUNC.match(line)
            if m:
                func = m.group(2)
                starts.setdefault(section, []).append((int(m.group(1), 16),
                                                       func))
                edges.setdefault(func, set())
                continue
            m = RELOC.match(line)
            if not m or func is None:
                continue
            sym = m.group(3)
            base, _, off = sym.partition('+')
            if TRACE_SYM.match(base):
                refs.setdefault(func, set()).add(base)
            if m.group(2).startswith('R_PPC64_REL24'):
                if base.startswith('.'):
                    pending.append((func, base, int(off or '0', 16)))
                else:
                    edges[func].add(base)
        for func, sec, off in pending:
            cands = [f for a, f in sorted(starts.get(sec, [])) if a <= off]
            if cands:
                edges[func].add(cands[-1])
    return edges, refs


def reachable(edges, start):
    seen, todo = {}, [(r, r) for r in sorted(start) if r in edges]
    for r, _ in todo:
        seen[r] = r
    while todo:
        f, path = todo.pop()
        for g in sorted(edges.get(f, ())):
            if g not in seen and g in edges:
                seen[g] = path + ' -> ' + g
                todo.append((g, seen[g]))
    return seen


def findings(objdump, rm, objs):
    edges, refs = parse(objdump, objs)
    seen = reachable(edges, roots(rm))
    found = set()
    for f, path in seen.items():
        for sym in refs.get(f, ()):
            found.add((f, sym, path))
    return seen, found


def main(argv):
    objdump, rm, rest = argv[1], argv[2], argv[3:]
    if '--' in rest:
        i = rest.index('--')
        objs, base = rest[:i], rest[i + 1:]
    else:
        objs, base = rest, []
    seen, found = findings(objdump, rm, objs)
    print('real-mode roots: %d, reachable functions: %d'
          % (len(roots(rm)), len(seen)))
    old = set()
    if base:
        _, bfound = findings(objdump, rm, base)
        old = {(f, s) for f, s, _ in bfound}
        for f, s, p in sorted(bfound):
            print('baseline (not counted): %s references %s' % (f, s))
    bad = [(f, s, p) for f, s, p in sorted(found) if (f, s) not in old]
    for f, s, p in bad:
        print('NEW trace reference reachable from real mode: %s references %s'
              % (f, s))
        print('    call path: %s' % p)
    if bad:
        print('FAIL: %d trace reference(s) reachable from real-mode entry '
              'points' % len(bad))
        return 1
    print('OK: no new trace reference reachable from real-mode entry points')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
