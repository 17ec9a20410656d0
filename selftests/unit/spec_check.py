#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Check that the YNL spec of the vmclock family agrees with the code.

Documentation/netlink/specs/vmclock.yaml is the description of record;
kernel/uapi/vmclock.h (values) and kernel/netlink.c (operations, flags,
policies) are written by hand and must say the same.  Prints TAP.
"""
import re
import sys

import yaml

TOP = sys.argv[1] if len(sys.argv) > 1 else '.'
spec = yaml.safe_load(open(f'{TOP}/Documentation/netlink/specs/vmclock.yaml'))
uapi = open(f'{TOP}/kernel/uapi/vmclock.h').read()
code = open(f'{TOP}/kernel/netlink.c').read()

results = []


def check(ok, what):
    results.append((bool(ok), what))


def c_name(prefix, name):
    return (prefix + name).upper().replace('-', '_')


def uapi_enums():
    """Every enumerator of the uapi header with its value."""
    values = {}
    for body in re.findall(r'enum\s*\w*\s*{(.*?)}', uapi, re.S):
        body = re.sub(r'/\*.*?\*/', '', body, flags=re.S)
        n = 0
        for item in body.split(','):
            item = item.strip()
            if not item:
                continue
            m = re.match(r'(\w+)\s*(?:=\s*(.+))?$', item)
            if not m:
                continue
            if m.group(2):
                expr = m.group(2)
                for k, v in values.items():
                    expr = re.sub(rf'\b{k}\b', str(v), expr)
                n = eval(expr)  # small integer expressions of this header
            values[m.group(1)] = n
            n += 1
    return values


def uapi_defines():
    return {k: int(v.rstrip('ULL'), 0) for k, v in
            re.findall(r'#define\s+(\w+)\s+(\d+)(?:ULL)?\b', uapi)}


enums = uapi_enums()
defines = uapi_defines()

check(spec['name'] == re.search(r'VMCLOCK_FAMILY_NAME\s+"(\w+)"', uapi).group(1),
      'family name')
mc = [g['name'] for g in spec['mcast-groups']['list']]
check(mc == [re.search(r'VMCLOCK_MCGRP_EVENTS\s+"(\w+)"', uapi).group(1)],
      f'multicast groups {mc}')

# Enumerations: same names, same values.
for d in spec['definitions']:
    if d['type'] != 'enum':
        continue
    prefix = d.get('name-prefix', f"{spec['name']}-{d['name']}-")
    for i, e in enumerate(d['entries']):
        name = c_name(prefix, e['name'] if isinstance(e, dict) else e)
        check(enums.get(name) == i, f'enum {d["name"]}: {name} = {i}')

# Attributes: same values and types as the policies use.
aset = spec['attribute-sets'][0]
aprefix = aset['name-prefix']
value = 0
attr_type = {}
for a in aset['attributes']:
    value = a.get('value', value + 1)
    name = c_name(aprefix, a['name'])
    attr_type[a['name']] = a['type']
    check(enums.get(name) == value, f'attribute {name} = {value}')
check(enums.get('VMCLOCK_A_MAX') == value, f'VMCLOCK_A_MAX = {value}')

# Policies in the kernel: attribute -> (NLA type, min, max).
nla = {'u8': 'NLA_U8', 'u32': 'NLA_U32', 'u64': 'NLA_U64', 'string': 'NLA_NUL_STRING'}
policies = {}
for pname, body in re.findall(
        r'static const struct nla_policy (\w+)\[[^]]*\] = {(.*?)\n};', code, re.S):
    body = body.replace('VMCLOCK_SETTINGS_POLICY', re.search(
        r'#define VMCLOCK_SETTINGS_POLICY\s*\\\n(.*?)\n\n', code, re.S).group(1))
    body = re.sub(r'\\\n\s*', ' ', body)
    policies[pname] = dict(re.findall(r'\[(VMCLOCK_A_\w+)\]\s*=\s*([^\[]*)', body))

def bound_enforced(entry, bound, value):
    """Whether a policy entry limits the attribute to value at bound."""
    names = [k for k, v in defines.items() if v == value] + [str(value)]
    m = re.search(r'&(\w+)', entry)
    if m:
        body = re.search(rf'{m.group(1)} = {{(.*?)}};', code, re.S)
        field = body and re.search(rf'\.{bound}\s*=\s*(\w+)', body.group(1))
        if not field:
            return body is not None and bound == 'min' and value == 0
        return field.group(1) in names
    m = re.search(r'NLA_POLICY_RANGE\(\w+,\s*(\w+),\s*(\w+)\)', entry)
    if m:
        return m.group(1 if bound == 'min' else 2) in names
    m = re.search(r'NLA_POLICY_MAX\(\w+,\s*(\w+)\)', entry)
    return bool(m) and bound == 'max' and m.group(1) in names


# Operations: values, privilege, request attributes against the policy.
ops = re.findall(r'{\s*\.cmd\s*=\s*(VMCLOCK_CMD_\w+),(.*?)}', code, re.S)
kops = {cmd: body for cmd, body in ops}
oprefix = spec['operations']['name-prefix']
value = 0
for op in spec['operations']['list']:
    value = op.get('value', value + 1)
    cname = c_name(oprefix, op['name'])
    check(enums.get(cname) == value, f'operation {cname} = {value}')
    if 'notify' in op or 'event' in op:
        check(cname not in kops, f'{cname} is a notification, no handler')
        continue
    body = kops.get(cname)
    check(body is not None, f'{cname} has a handler')
    if body is None:
        continue
    admin = 'admin-perm' in op.get('flags', [])
    check(admin == ('GENL_ADMIN_PERM' in body), f'{cname} admin-perm is {admin}')
    check(('.dumpit' in body) == ('dump' in op), f'{cname} dump as specified')
    want = set()
    for kind in ('do', 'dump'):
        want |= set(op.get(kind, {}).get('request', {}).get('attributes', []))
    pol = re.search(r'\.policy\s*=\s*(\w+)', body)
    have = policies.get(pol.group(1), {}) if pol else {}
    check({c_name(aprefix, a) for a in want} == set(have),
          f'{cname} request attributes {sorted(want)} are its policy')
    for a in want:
        entry = have.get(c_name(aprefix, a), '')
        t = nla[attr_type[a]]
        check(t in entry, f'{cname} {a}: {t}')
        checks = next((x.get('checks', {}) for x in aset['attributes']
                       if x['name'] == a), {})
        for bound in ('min', 'max'):
            if bound in checks:
                check(bound_enforced(entry, bound, checks[bound]),
                      f'{cname} {a}: {bound} {checks[bound]} enforced')

print('1..%d' % len(results))
for i, (ok, what) in enumerate(results, 1):
    print(('ok' if ok else 'not ok') + f' {i} {what}')
sys.exit(0 if all(ok for ok, _ in results) else 1)
