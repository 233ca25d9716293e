#!/usr/bin/env bash
# Runs the four-forms walkthrough of docs/four-forms.md against a fresh deployment and
# prints each command with its output, as pasted in that document.
# Usage: scripts/walkthrough-four-forms.sh BUILD_DIR   (a build with client/jijian and
# server/jijian-server). Uses a temporary folder and port 17443; stops the server at the end.
set -euo pipefail
BIN=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
WORK=$(mktemp -d /tmp/jijian-walk-XXXXXX)
SERVER=""
trap '[ -n "$SERVER" ] && { kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; }; rm -rf "$WORK"' EXIT
cd "$WORK"
PATH="$BIN/client:$BIN/server:$PATH"
jijian-server init --data var --listen 127.0.0.1:17443 >/dev/null
jijian-server --data var 2>server.log &
SERVER=$!
for _ in $(seq 50); do jijian --profile var/profiles/admin.toml whoami >/dev/null 2>&1 && break; sleep 0.2; done
A="--profile var/profiles/admin.toml"
while read -r user name roles; do
  jijian $A admin user add "$user" --name "$name" --role "$roles" >/dev/null
  jijian $A admin cert issue "$user" --out "$user.toml" >/dev/null
done <<'USERS'
wang.fang 王芳 registrar
chen.an 陈安 case-manager
li.jian 李检 inspector
sun.shen 孙审 reviewer
liu.ling 刘领 leader
zhou.ji 周计 auditor
USERS

# Prints "$ command" then runs it; stderr joins stdout so refusals show.
run() { echo; echo "\$ $*"; "$@" 2>&1 || true; }
q() { "$@" 2>/dev/null; }  # quiet setup steps
# The id on the first line of output that starts with PREFIX.
grab() { grep -o "$1-[0-9]*-[0-9]*" | head -1; }

echo '# users: wang.fang (registrar), chen.an (case manager), li.jian (inspector), sun.shen (reviewer), liu.ling (leader), zhou.ji (auditor)'

# --- Lead 1: 李四, talk inquiry, a first-form disposition ---------------------------------
P1=$(q jijian --profile wang.fang.toml petition register --channel letter --category accusation \
  --anonymous --subject 'name=李四,id=34052419800101001X,unit=某县财政局,position=副局长,rank=section,party=yes' \
  --discipline integrity --summary '反映李四违规接受宴请' --content '详情略' | grab XF)
q jijian --profile wang.fang.toml petition decide "$P1" --mode accept --reason 属本级管辖 >/dev/null
L1=$(q jijian --profile chen.an.toml lead register --from-petition "$P1" | grab XS)
q jijian --profile chen.an.toml lead assign "$L1" --to li.jian >/dev/null
q jijian --profile chen.an.toml lead propose "$L1" --method talk-inquiry --reason 先行函询 >/dev/null
q jijian --profile liu.ling.toml lead approve "$L1" >/dev/null
q jijian --profile li.jian.toml lead inquiry-sent "$L1" --text 发函询通知书 >/dev/null
q jijian --profile li.jian.toml lead inquiry-reply "$L1" --text '本人承认参加宴请一次' >/dev/null
echo "# $P1 → $L1 (assigned to li.jian), talk inquiry approved, reply recorded: INQUIRY_REPLIED"
run jijian --profile li.jian.toml disposition measures

run jijian --profile li.jian.toml disposition record "$L1" --subject-id 1 --measure party-warning --discipline integrity --decided 2026-11-30 --reason '违规接受宴请'
run jijian --profile li.jian.toml disposition record "$L1" --subject-id 1 --measure admonishment,criticism-education --discipline integrity --decided 2026-11-30 --reason '违规接受宴请，情节轻微'
D1=$(q jijian --profile chen.an.toml disposition list --matter "$L1" | grab CZ)
run jijian --profile li.jian.toml disposition approve "$D1"
run jijian --profile liu.ling.toml disposition approve "$D1" --reason 同意
run jijian --profile li.jian.toml lead propose "$L1" --method first-form --reason '已予诫勉，予以了结'
run jijian --profile liu.ling.toml lead approve "$L1"

# --- Case 1: 王五, verification, filed, reviewed, sanctioned ------------------------------
mkcase() {  # name id_number summary -> prints the case id
  local p l c
  p=$(q jijian --profile wang.fang.toml petition register --channel online --category accusation \
    --anonymous --subject "name=$1,id=$2,unit=某县财政局,position=科长,rank=section,party=yes" \
    --discipline integrity --summary "$3" --content 详情略 | grab XF)
  q jijian --profile wang.fang.toml petition decide "$p" --mode accept --reason 属本级管辖 >/dev/null
  l=$(q jijian --profile chen.an.toml lead register --from-petition "$p" | grab XS)
  q jijian --profile chen.an.toml lead assign "$l" --to li.jian >/dev/null
  q jijian --profile chen.an.toml lead propose "$l" --method verification --reason 初步核实 >/dev/null
  q jijian --profile liu.ling.toml lead approve "$l" >/dev/null
  q jijian --profile li.jian.toml lead report "$l" --proposal file-case --text 问题属实 >/dev/null
  q jijian --profile liu.ling.toml lead approve "$l" >/dev/null
  c=$(q jijian --profile chen.an.toml case file "$l" --reason 拟立案 | grab LA)
  q jijian --profile liu.ling.toml case approve "$c" --external-approver 县委书记 --external-date 2026-11-30 >/dev/null
  q jijian --profile li.jian.toml case investigation-report "$c" --text 审查调查报告 >/dev/null
  q jijian --profile li.jian.toml case transfer-review "$c" >/dev/null
  q jijian --profile sun.shen.toml case review-opinion "$c" --text 审理意见 >/dev/null
  echo "$c"
}
C1=$(mkcase 王五 11010519491231002X '反映王五收受礼金')
C2=$(mkcase 赵六 110105199001011232 '反映赵六挪用公款')
C3=$(mkcase 钱七 44030519851203456X '反映钱七受贿')
echo "# three cases taken to REVIEWED the same way: $C1 (王五), $C2 (赵六), $C3 (钱七)"

run jijian --profile sun.shen.toml disposition record "$C1" --subject-id 1 --measure party-warning,party-serious-warning --discipline integrity --decided 2026-11-30 --reason '收受礼金'
run jijian --profile sun.shen.toml disposition record "$C1" --subject-id 1 --measure party-serious-warning,gov-major-demerit --discipline integrity --decided 2026-11-30 --reason '收受礼金，数额较大'
D2=$(q jijian --profile chen.an.toml disposition list --matter "$C1" | grab CZ)
run jijian --profile liu.ling.toml disposition approve "$D2"
for step in announced delivered filed; do
  q jijian --profile chen.an.toml disposition execute "$D2" --step $step --date 2026-11-30 >/dev/null
done
run jijian --profile chen.an.toml case close "$C1"

run jijian --profile sun.shen.toml disposition record "$C2" --subject-id 1 --measure party-probation,gov-dismissal --discipline integrity,work --decided 2026-11-30 --reason '挪用公款'
run jijian --profile sun.shen.toml disposition record "$C2" --subject-id 1 --measure party-probation,gov-dismissal --probation-months 24 --discipline integrity,work --decided 2026-11-30 --reason '挪用公款'
D3=$(q jijian --profile chen.an.toml disposition list --matter "$C2" | grab CZ)
q jijian --profile liu.ling.toml disposition approve "$D3" >/dev/null
q jijian --profile sun.shen.toml disposition record "$C3" --subject-id 1 --measure prosecution-transfer,party-expulsion,gov-expulsion --discipline integrity --decided 2026-11-30 --reason '涉嫌受贿犯罪' >/dev/null
D4=$(q jijian --profile chen.an.toml disposition list --matter "$C3" | grab CZ)
q jijian --profile liu.ling.toml disposition approve "$D4" >/dev/null
echo "# $D3 (赵六) and $D4 (钱七) approved by liu.ling the same way"

run jijian --profile chen.an.toml disposition list --in-period
run jijian --profile chen.an.toml disposition list --ending-within 200d

# --- An appeal -----------------------------------------------------------------------------
A1=$(q jijian --profile wang.fang.toml petition register --channel letter --category appeal \
  --reporter-name 赵六 --reporter-id 110105199001011232 --subject 'name=赵六,id=110105199001011232,unit=某县财政局' \
  --discipline integrity --summary '对处分不服提出申诉' --content 详情略 | grab XF)
run jijian --profile chen.an.toml disposition appeal "$D3" --petition "$A1"
run jijian --profile liu.ling.toml disposition appeal-decide "$D3" --outcome changed --measure party-serious-warning,gov-dismissal --reason '申诉部分成立，改为严重警告'

# --- The quarter's report and an integrity opinion ----------------------------------------
run jijian --profile zhou.ji.toml stats four-forms --from 2026-10-01 --to 2026-12-31
run jijian --profile zhou.ji.toml stats four-forms --from 2026-10-01 --to 2026-12-31 --csv
run jijian --profile zhou.ji.toml stats all --from 2026-10-01 --to 2026-12-31
run jijian --profile chen.an.toml integrity-check --name 王五 --id-number 11010519491231002X --purpose 拟提拔为副局长
run jijian --profile chen.an.toml integrity-check --name 王五 --id-number 110105199001011232
run jijian --profile chen.an.toml integrity-check --name 李四 --id-number 34052419800101001X
N=$(q jijian --profile zhou.ji.toml --json audit head | grep -o '"tree_\?[sS]ize": *"[0-9]*"' | grep -o '[0-9][0-9]*$\|[0-9][0-9]*"$' | tr -d '"')
run jijian --profile zhou.ji.toml audit events --from $((N - 3)) --to $((N - 1))
