"""Chinese and English labels of the site; `lang` is 'zh', 'en' or 'zh-en' (both, the default).

Labels are (Chinese, English) pairs. HTML gets both languages in separate spans so the English
can be styled as a quieter second line; charts and CSV file names get plain text.
"""

from __future__ import annotations

from html import escape

from aemetrics.standards import SECTIONS as STANDARD_SECTIONS
from aemetrics.standards import registry

LANGS = ("zh", "en", "zh-en")

# Each standard's name, from its registry entry (sql/intermediate/int_obligations__<id>.yml), in
# registry order: handbook section, then order inside it (aemetrics/standards.py).
STANDARDS: dict[str, tuple[str, str]] = {s.id: (s.label_zh, s.label_en) for s in registry()}
# The handbook's sections, in its order (沟通 / 会议 / 日常沟通 / 再次提升 / 工作习惯).
SECTIONS: dict[str, tuple[str, str]] = dict(STANDARD_SECTIONS)

TEXT: dict[str, tuple[str, str]] = {
    "site_title": ("客户服务标准", "Client service standards"),
    "weekly_review": ("每周管理回顾", "Weekly management review"),
    "equal_treatment": ("一视同仁", "Equal treatment"),
    "scorecards": ("客户经理", "Account executives"),
    "scorecard": ("客户经理记分卡", "AE scorecard"),
    "as_of": ("数据截至", "Data as of"),
    "built_at": ("生成于", "Built at"),
    "timezone": ("时区", "Time zone"),
    "standard": ("标准", "Standard"),
    "this_week": ("本周", "This week"),
    "last_week": ("上周", "Last week"),
    "change": ("变化", "Change"),
    "target": ("目标", "Target"),
    "trend_12w": ("12周趋势", "12-week trend"),
    "last_12w": ("近12周", "Last 12 weeks"),
    "rate": ("达标率", "Rate"),
    "met": ("按时", "Met"),
    "late": ("延迟", "Late"),
    "missed": ("未完成", "Missed"),
    "open": ("进行中", "Open"),
    "excused": ("豁免", "Excused"),
    "evaluated": ("已考核", "Evaluated"),
    "on_target": ("达标", "On target"),
    "below_target": ("未达标", "Below target"),
    "team": ("团队", "Team"),
    "teams": ("团队对比", "Teams side by side"),
    "league": ("客户经理排名", "AE league table"),
    "rank": ("名次", "Rank"),
    "ae": ("客户经理", "AE"),
    "name": ("姓名", "Name"),
    "email": ("邮箱", "Email"),
    "supervisor": ("主管", "Supervisor"),
    "heatmap": ("迟复时段分布", "When late replies happen"),
    "heatmap_note": (
        "按客户来信时间(业务时区)统计延迟或未回复的询问,近12周",
        "Client inquiries answered late or not at all, by when they arrived (business time zone), last 12 weeks",
    ),
    "weekday": ("星期", "Weekday"),
    "hour": ("小时", "Hour"),
    "count": ("数量", "Count"),
    "at_risk": ("即将到期", "At risk"),
    "at_risk_note": ("尚未完成、尚未到期的事项,按到期时间排序", "Open obligations not yet due, soonest first"),
    "due_at": ("到期", "Due"),
    "opened_at": ("开始", "Opened"),
    "fulfilled_at": ("完成", "Fulfilled"),
    "hours_left": ("剩余小时", "Hours left"),
    "hours_late": ("延迟小时", "Hours late"),
    "client": ("客户", "Client"),
    "subject": ("主题", "Subject"),
    "evidence": ("证据", "Evidence"),
    "status": ("状态", "Status"),
    "data_quality": ("数据质量", "Data quality"),
    "run_notes": ("本次运行须知", "Notes on this run"),
    "source_kind": ("数据来源", "Source"),
    "files": ("文件数", "Files"),
    "files_rejected": ("整体隔离文件", "Files quarantined"),
    "rows_loaded": ("载入记录", "Rows loaded"),
    "records_quarantined": ("隔离记录", "Records quarantined"),
    "records_kept": ("其中已载入(不可用或有备注)", "Of which loaded (unusable or noted)"),
    "quarantine_reasons": ("隔离原因", "Quarantine reasons"),
    "clock_unmatched": ("未匹配员工的打卡人员", "Clock-in people matching no staff member"),
    "reason": ("原因", "Reason"),
    "example": ("示例", "Example"),
    "checks": ("数据校验 (Great Expectations)", "Checks (Great Expectations)"),
    "stage": ("阶段", "Stage"),
    "table": ("数据表", "Table"),
    "expectation": ("校验规则", "Expectation"),
    "column": ("字段", "Column"),
    "result": ("结果", "Result"),
    "pass": ("通过", "Pass"),
    "fail": ("未通过", "Fail"),
    "on_failure": ("未通过时", "On failure"),
    "observed": ("观察值", "Observed"),
    "no_data": ("本周无数据", "No data this week"),
    "no_data_standard": ("无数据", "no data"),
    "needs": ("需要导出", "needs export"),
    "section": ("类别", "Section"),
    "no_rows": ("无记录", "Nothing to show"),
    "no_ingest": ("尚无导入记录", "No ingest records yet"),
    "download_csv": ("下载CSV", "Download CSV"),
    "team_median": ("团队中位数", "Team median"),
    "rates_vs_team": ("达标率对比团队与目标", "Rates against team median and target"),
    "late_missed": ("延迟及未完成事项", "Late and missed obligations"),
    "due_next": ("接下来到期", "What falls due next"),
    "weekly_outcomes": ("每周结果", "Outcomes per week"),
    "tier": ("客户规模", "Client tier"),
    "gap": ("差距", "Gap"),
    "flag": ("标记", "Flag"),
    "gap_flagged": ("差距过大", "Gap too large"),
    "gap_ok": ("正常", "OK"),
    "equal_note": (
        "不论客户大小,你应一视同仁。各规模客户的达标率(近12周,方括号内为置信区间);"
        "规模间差距超过阈值且经双比例z检验统计显著时才标记。",
        "Treat every client alike, large or small. Rates by client size tier over the last 12 weeks "
        "[confidence interval]; a gap between tiers is flagged when it is above the threshold and "
        "statistically significant (two-proportion z-test).",
    ),
    "threshold": ("阈值", "Threshold"),
    "alpha": ("显著性水平", "Significance level"),
    "ci": ("置信区间", "Confidence interval"),
    "z_stat": ("z 值", "z"),
    "significant": ("统计显著", "Significant"),
    "not_significant": ("不显著", "Not significant"),
    "confirmed_phone": ("电话确认", "Confirmed by phone"),
    "confirmed_yes": ("已电话确认", "Confirmed"),
    "confirmed_no": ("未电话确认", "Not confirmed"),
    "min_n": ("每档最少考核数", "Minimum evaluated per tier"),
    "overall": ("总体", "Overall"),
    "all_standards": ("全部标准", "All standards"),
    "back": ("返回周报", "Back to the weekly review"),
    "privacy": (
        "仅显示姓名、客户名、主题与计数;不显示邮件正文。",
        "Names, client names, subjects and counts only; never message bodies.",
    ),
    "sample_week": ("所选周", "Week shown"),
    "vs_last_week": ("较上周", "vs last week"),
    "per_standard": ("各标准本周达标率", "Each standard this week"),
    "summary": ("本周概览", "This week at a glance"),
    "obligations": ("事项", "obligations"),
    "ae_rate": ("本人", "This AE"),
    "no_team_peer": ("无团队数据", "No team data"),
    "weekly_rate_by_standard": ("各标准每周达标率", "Weekly rate by standard"),
    "team_median_12w": ("团队中位数(12周)", "Team median (12 wk)"),
    "best_tier": ("最好档", "Best tier"),
    "worst_tier": ("最差档", "Worst tier"),
    "no_team": ("未分组", "No team"),
    "team_rates": ("各团队达标率", "Rate by team"),
    "ae_rates_week": ("本周各客户经理达标率", "Each AE's rate this week"),
    "rows_shown": ("页面显示行数", "rows on this page"),
    "rest_in_csv": ("完整列表见 CSV 下载", "every row is in the CSV download"),
    "obligation_list": ("事项明细", "Obligations"),
    "setup": ("数据准备清单", "Setup checklist"),
    "setup_note": (
        "每个导出文件是否已载入，以及它支持哪些标准。",
        "Each export: found or missing, and the standards it feeds.",
    ),
    "found": ("已找到", "found"),
    "missing_export": ("缺失", "missing"),
    "no_data_needs": ("无数据 — 需要", "no data — needs"),
    "week": ("周", "Week"),
    "so_far": ("本周至今", "This week so far"),
    "so_far_note": ("本周尚未结束：数字会变化。", "The week is not over: these figures will change."),
    "client_page": ("客户", "Client"),
    "clients": ("客户", "Clients"),
    "has_left": ("已离职", "left"),
    "left_note": (
        "已离职人员不参与排名和团队中位数；其客户的事项仍然显示。",
        "People who left are not ranked and not in team medians; their accounts' obligations stay listed.",
    ),
    "tiers_explained": ("客户分档说明", "What the tiers mean"),
    "tiers_text": (
        "A/B/C 是 CRM 客户档案中的客户规模分档（A 最大）；unknown 表示客户未分档或不是 CRM 客户。"
        "每档的达标率是该档客户所有事项合计的比率。",
        "A, B and C are the client size tiers of the CRM accounts (A the largest); unknown: "
        "a client without a tier or not a CRM account. A tier's rate pools every obligation of its clients.",
    ),
    "gap_makers": ("差距来源", "Who makes the gap"),
    "gap_makers_note": (
        "被标记差距中，最差档的迟到/未完成事项按客户经理和客户统计。",
        "For each flagged gap: the late and missed obligations of the worst tier, by AE and by client.",
    ),
    "all_weeks": ("所有周", "Every week"),
    "trend_counts": ("每周结果", "Outcomes per week"),
    "obligations_12w": ("事项（12周）", "Obligations (12 weeks)"),
}

WEEKDAYS = [
    ("周一", "Mon"),
    ("周二", "Tue"),
    ("周三", "Wed"),
    ("周四", "Thu"),
    ("周五", "Fri"),
    ("周六", "Sat"),
    ("周日", "Sun"),
]


class Labels:
    """Text in the chosen language; `html()` for markup, `text()` for charts and plain strings."""

    def __init__(self, lang: str = "zh-en"):
        if lang not in LANGS:
            raise ValueError(f"lang {lang!r}: choose one of {', '.join(LANGS)}")
        self.lang = lang

    def _pair(self, key: str) -> tuple[str, str]:
        if key in TEXT:
            return TEXT[key]
        if key in STANDARDS:
            return STANDARDS[key]
        if key in SECTIONS:
            return SECTIONS[key]
        return (key, key)  # an id without a label (e.g. a new standard) shows as itself

    def text(self, key: str, sep: str = " · ") -> str:
        zh, en = self._pair(key)
        return {"zh": zh, "en": en}.get(self.lang, f"{zh}{sep}{en}")

    def html(self, key: str) -> str:
        zh, en = self._pair(key)
        if self.lang == "zh":
            return f'<span lang="zh">{escape(zh)}</span>'
        if self.lang == "en":
            return f'<span lang="en">{escape(en)}</span>'
        return f'<span lang="zh">{escape(zh)}</span> <span class="en" lang="en">{escape(en)}</span>'

    def standard(self, std: str) -> str:
        return self.text(std, sep=" / ")

    def weekday(self, i: int) -> str:
        zh, en = WEEKDAYS[i]
        return {"zh": zh, "en": en}.get(self.lang, f"{zh} {en}")

    @property
    def html_lang(self) -> str:
        return "en" if self.lang == "en" else "zh"
