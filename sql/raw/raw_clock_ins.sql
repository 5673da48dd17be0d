-- Clock-in records (work_on_time): DingTalk 考勤报表 punches and canonical attendance_clock rows,
-- one row per person-day punch. The export's own name / UserId / 工号 are kept: staff are matched
-- later (directory dingtalk_userid, else employee_no, else exact name; the unmatched are reported).
create table if not exists raw_clock_ins (
    platform       varchar not null,  -- dingtalk | canonical
    person_name    varchar,           -- 姓名 as exported
    userid         varchar,           -- DingTalk UserId
    employee_no    varchar,           -- 工号
    department     varchar,           -- 部门
    email          varchar,           -- canonical files: lower-cased
    work_date      date not null,     -- 考勤日期 / date: the working day the punch belongs to
    clock_at       timestamptz,       -- the punch (UTC); null for 缺卡 / leave rows
    scheduled_time varchar,           -- 考勤时间 as exported ('09:00'): the export's shift, not ours
    punch_type     varchar,           -- 上班 (clock-in) | 下班 (clock-out) | null (unknown: the day's first punch decides)
    result         varchar,           -- 打卡结果 as exported: 正常, 迟到, 缺卡, 外勤, 补卡审批通过, 请假, ...
    is_field       boolean,           -- 外勤: a field punch (counts at its time)
    is_correction  boolean,           -- 补卡: an approved correction (counts at the corrected time)
    leave_type     varchar,           -- 请假 / 休假 / 调休 / 事假 / 病假 ... (excused)
    source_file    varchar not null,
    record         varchar not null   -- 'sheet 原始记录 row 5' / 'line 3'
);
