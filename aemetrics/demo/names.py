"""Static vocabulary of the demo agency: names, brands, subjects. Data only, no logic.

Every brand and domain is invented for the demo; names are common Chinese names with their
pinyin, so e-mail addresses look like the ones a Chinese agency and its clients really use.
"""
from __future__ import annotations

AGENCY_NAME = "星河广告"
AGENCY_NAME_EN = "Xinghe Advertising"
AGENCY_DOMAIN = "xingheadv.com.cn"

# (Chinese name, family pinyin, given pinyin)
SUPERVISORS = [
    ("林建国", "lin", "jianguo"),
    ("何美玲", "he", "meiling"),
    ("高志强", "gao", "zhiqiang"),
]
TEAMS = ["快消组", "汽车组", "科技组"]
AES = [  # four per team, in team order
    ("张伟", "zhang", "wei"), ("王芳", "wang", "fang"), ("李娜", "li", "na"), ("刘洋", "liu", "yang"),
    ("陈静", "chen", "jing"), ("杨磊", "yang", "lei"), ("赵敏", "zhao", "min"), ("周婷", "zhou", "ting"),
    ("吴昊", "wu", "hao"), ("徐丽", "xu", "li"), ("孙强", "sun", "qiang"), ("马超", "ma", "chao"),
]
DEPARTED_AE = ("郑浩", "zheng", "hao")  # left in July; still owns two accounts in the CRM
DIRECTOR = ("宋文", "song", "wen")  # CRM user only: manager of the supervisors
CRM_ADMIN = ("系统管理员", "admin", "sfdc")

# Brand stems for client companies: (Chinese, pinyin). Two carry characters outside GB2312
# (喆, 堃): mail about them needs GBK, and one client's mailer still labels it gb2312.
BRAND_STEMS = [
    ("蓝山", "lanshan"), ("金禾", "jinhe"), ("华彩", "huacai"), ("云朵", "yunduo"), ("青木", "qingmu"),
    ("远航", "yuanhang"), ("鼎盛", "dingsheng"), ("嘉禾", "jiahe"), ("新源", "xinyuan"), ("恒信", "hengxin"),
    ("百川", "baichuan"), ("瑞丰", "ruifeng"), ("天宇", "tianyu"), ("海韵", "haiyun"), ("东润", "dongrun"),
    ("南风", "nanfeng"), ("北辰", "beichen"), ("明珠", "mingzhu"), ("长青", "changqing"), ("宏图", "hongtu"),
    ("锦绣", "jinxiu"), ("凯越", "kaiyue"), ("安然", "anran"), ("优品", "youpin"), ("乐享", "lexiang"),
    ("悦动", "yuedong"), ("智诚", "zhicheng"), ("博远", "boyuan"), ("众信", "zhongxin"), ("和光", "heguang"),
    ("晨曦", "chenxi"), ("初心", "chuxin"), ("木言", "muyan"), ("禾苗", "hemiao"), ("森屿", "senyu"),
    ("润泽", "runze"), ("盛世", "shengshi"), ("诺亚", "nuoya"), ("雅集", "yaji"), ("知味", "zhiwei"),
    ("小鹿", "xiaolu"), ("果然", "guoran"), ("唯美", "weimei"), ("光年", "guangnian"), ("银河", "yinhe"),
    ("朗润", "langrun"), ("澜湾", "lanwan"), ("栖霞", "qixia"), ("鹿鸣", "luming"), ("清泉", "qingquan"),
    ("金桥", "jinqiao"), ("万象", "wanxiang"), ("福临", "fulin"), ("泰和", "taihe"), ("合众", "hezhong"),
    ("立信", "lixin"), ("景明", "jingming"), ("致远", "zhiyuan"), ("启航", "qihang"), ("飞鸿", "feihong"),
    ("白鹭", "bailu"), ("红枫", "hongfeng"), ("翠竹", "cuizhu"), ("玉兰", "yulan"), ("丹青", "danqing"),
    ("墨香", "moxiang"), ("兰亭", "lanting"), ("松涛", "songtao"), ("桃源", "taoyuan"), ("云杉", "yunshan"),
    ("海棠", "haitang"), ("紫荆", "zijing"), ("金穗", "jinsui"), ("麦香", "maixiang"), ("茶语", "chayu"),
    ("喆轩", "zhexuan"), ("堃元", "kunyuan"),
]
GBK_ONLY_BRANDS = ("喆轩", "堃元")

# (Chinese industry word for the company name, Salesforce Industry picklist value, domain suffix)
INDUSTRIES = [
    ("食品", "Food & Beverage", "food"), ("乳业", "Food & Beverage", "dairy"), ("饮料", "Food & Beverage", "drinks"),
    ("汽车", "Automotive", "auto"), ("电器", "Consumer Electronics", "appliance"), ("化妆品", "Retail", "beauty"),
    ("科技", "Technology", "tech"), ("体育用品", "Retail", "sports"), ("母婴", "Retail", "baby"),
    ("家居", "Retail", "home"), ("旅游", "Hospitality", "travel"), ("服饰", "Apparel", "fashion"),
    ("酒业", "Food & Beverage", "wine"), ("数码", "Consumer Electronics", "digital"), ("银行", "Banking", "bank"),
]
CITIES = [("上海", "上海市", "200000"), ("北京", "北京市", "100000"), ("广州", "广东省", "510000"),
          ("深圳", "广东省", "518000"), ("杭州", "浙江省", "310000"), ("成都", "四川省", "610000"),
          ("南京", "江苏省", "210000"), ("苏州", "江苏省", "215000"), ("武汉", "湖北省", "430000")]
STREETS = ["南京西路", "淮海中路", "建国路", "天河路", "深南大道", "文三路", "人民南路", "中山路", "解放大道"]

FAMILY_NAMES = [
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"), ("黄", "huang"),
    ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"), ("徐", "xu"), ("孙", "sun"), ("马", "ma"), ("朱", "zhu"),
    ("胡", "hu"), ("郭", "guo"), ("何", "he"), ("高", "gao"), ("林", "lin"), ("罗", "luo"), ("郑", "zheng"),
    ("梁", "liang"), ("谢", "xie"), ("宋", "song"), ("唐", "tang"), ("韩", "han"), ("冯", "feng"), ("邓", "deng"),
    ("曹", "cao"), ("彭", "peng"), ("曾", "zeng"), ("田", "tian"), ("董", "dong"), ("潘", "pan"), ("袁", "yuan"),
    ("蔡", "cai"), ("蒋", "jiang"), ("余", "yu"), ("杜", "du"), ("叶", "ye"), ("程", "cheng"), ("魏", "wei"),
    ("苏", "su"), ("丁", "ding"), ("沈", "shen"), ("任", "ren"), ("姚", "yao"), ("卢", "lu"), ("钟", "zhong"),
    ("崔", "cui"), ("谭", "tan"), ("陆", "lu"), ("范", "fan"), ("廖", "liao"), ("石", "shi"), ("金", "jin"),
    ("贾", "jia"), ("夏", "xia"), ("方", "fang"), ("邹", "zou"), ("熊", "xiong"), ("白", "bai"), ("孟", "meng"),
    ("秦", "qin"), ("邱", "qiu"), ("侯", "hou"), ("江", "jiang"), ("薛", "xue"), ("段", "duan"), ("雷", "lei"),
    ("欧阳", "ouyang"), ("司马", "sima"),
]
GIVEN_NAMES = [
    ("晓明", "xiaoming"), ("丽", "li"), ("静", "jing"), ("敏", "min"), ("伟", "wei"), ("芳", "fang"), ("磊", "lei"),
    ("勇", "yong"), ("艳", "yan"), ("杰", "jie"), ("军", "jun"), ("涛", "tao"), ("明", "ming"), ("秀英", "xiuying"),
    ("霞", "xia"), ("平", "ping"), ("刚", "gang"), ("建华", "jianhua"), ("文", "wen"), ("华", "hua"), ("红", "hong"),
    ("婷", "ting"), ("雪", "xue"), ("琳", "lin"), ("宇", "yu"), ("浩", "hao"), ("鑫", "xin"), ("佳", "jia"),
    ("欣怡", "xinyi"), ("子涵", "zihan"), ("思远", "siyuan"), ("雨萱", "yuxuan"), ("一鸣", "yiming"), ("若曦", "ruoxi"),
    ("嘉怡", "jiayi"), ("俊杰", "junjie"), ("晨", "chen"), ("凯", "kai"), ("蕾", "lei"), ("倩", "qian"), ("颖", "ying"),
    ("慧", "hui"), ("博", "bo"), ("然", "ran"), ("斌", "bin"), ("鹏", "peng"), ("辉", "hui"), ("丹", "dan"),
    ("悦", "yue"), ("璐", "lu"), ("菲", "fei"), ("晶", "jing"), ("瑶", "yao"), ("海燕", "haiyan"), ("志伟", "zhiwei"),
]
GBK_ONLY_GIVEN = [("玥", "yue"), ("喆", "zhe"), ("珺", "jun")]
ENGLISH_NAMES = ["Lily", "David", "Kevin", "Grace", "Tony", "Vivian", "Jason", "Cherry", "Eric", "Amy",
                 "Frank", "Cindy", "Leo", "Iris", "Ray", "Sunny"]
CLIENT_TITLES = ["品牌经理", "市场总监", "市场专员", "媒介经理", "数字营销经理", "品牌总监", "采购经理", "市场部副总裁"]

# Client inquiries: subject templates. None may contain a classification keyword (议程, 纪要,
# 周报, 工作进度, ...): an inquiry is neither an agenda nor a report (tests check this).
INQUIRY_SUBJECTS = [
    "关于{brand}双十一投放预算的问题", "{brand}新品上市物料确认", "请确认{brand}十月媒体排期", "{brand} KV 修改意见",
    "媒体排期表有几处疑问", "{brand}合同及发票事宜", "TVC 脚本第二版反馈", "小红书达人名单请再核对一下",
    "{brand}抖音直播方案的几个问题", "{brand}年度框架协议续签", "户外广告点位照片什么时候能给到",
    "请提供{brand}九月投放结案数据", "{brand}官网改版进度", "微信公众号推文排期调整", "{brand}经销商大会物料",
    "关于{brand}品牌片拍摄日期", "{brand}电商大促素材尺寸确认", "请帮忙报价：{brand}地铁灯箱", "{brand}新包装设计意见",
    "{brand}代言人物料授权范围",
]
INQUIRY_SUBJECTS_EN = [
    "Question on {brand} Q4 media flowchart", "{brand} launch assets - a few changes", "Invoice for September ({brand})",
    "Can we move the {brand} shoot?", "{brand} KOL shortlist feedback",
]
INQUIRY_BODIES = [
    "您好，\n\n{ask}麻烦尽快回复，谢谢！\n\n{sign}",
    "Hi {ae_given},\n\n{ask}今天方便的话请回复一下。\n\n谢谢\n{sign}",
    "{ae_name}你好：\n\n{ask}我们这边领导在等结论。\n\n{sign}",
]
ASKS = [
    "附件里的排期表和我们上周沟通的不太一样，能否确认一下？", "预算需要下调 10%，请看看哪些点位可以调整。",
    "设计稿的 logo 位置需要再调整一下，另外字体要换成品牌标准字体。", "请问这一版的报价是否含税？",
    "老板希望下周三前看到新方案，时间上来得及吗？", "上次提到的数据报告什么时候可以给到？",
    "合同第三条的付款周期我们法务有意见，请协助沟通。", "达人名单里有两位和竞品合作过，需要替换。",
]
ASKS_EN = [
    "The flowchart you sent doesn't match last week's budget split. Could you check?",
    "Our legal team needs the usage rights spelled out before we sign.",
    "We need to push the deadline by a week. Is that possible on your side?",
]
FOLLOWUP_ASKS = ["补充一下：附件是最新版本，以这个为准。", "另外，财务那边也在问进度。", "再补充一点，领导希望加一个备选方案。"]
REPLY_BODIES = [
    "{client}您好，\n\n收到，我们今天内确认后回复您。{detail}\n\n{sign}",
    "{client}您好：\n\n已和团队确认，{detail}如有问题随时联系。\n\n{sign}",
    "Hi {client},\n\n{detail}有任何问题随时找我。\n\nBest,\n{sign}",
]
REPLY_DETAILS = ["排期已按您的意见调整，新版见附件。", "报价为含税价，明细见附件。", "设计稿已安排修改，明天上午给到。",
                 "数据报告本周五前发您。", "达人已替换，新名单见附件。", "合同条款已转法务，周三前给您答复。"]
FOLLOWUP_CLIENT = ["谢谢！另外还有一个问题：{ask}", "收到。还想确认一下：{ask}"]

PROPOSAL_SUBJECTS = [
    "{brand} 十一月社交媒体方案，请审阅", "{brand} Q4 媒介策略提案", "{brand} 新品发布会创意方向",
    "{brand} 年货节整合营销方案", "{brand} 2026 年度框架建议", "{brand} 电商大促投放建议",
    "{brand} KOL 合作方案（初稿）", "{brand} 品牌片分镜脚本",
]
MEETING_TITLES_SERIES = ["{brand} 周例会", "{brand} 项目沟通会", "{brand} weekly sync", "{brand} 双周会"]
MEETING_TITLES_ONEOFF = ["{brand} 提案会", "{brand} 创意评审会", "{brand} 年度规划讨论", "{brand} 结案汇报",
                         "{brand} 拍摄前准备会", "{brand} 媒介策略讨论"]
PITCH_TITLES = ["{brand} 比稿提案", "{brand} 初次拜访", "{brand} 合作意向沟通"]
INTERNAL_TITLES = ["{brand} 创意内审", "{brand} 项目内部对齐"]

NEWSLETTERS = [
    # (display name, address, List-Id, subject template, mailing style)
    ("媒介周刊", "newsletter@meijie-weekly.cn", "<weekly.meijie-weekly.cn>", "媒介周刊 第{n}期：{topic}", "merge"),
    ("营销内参", "digest@yingxiao-neican.com", "营销内参 <digest.yingxiao-neican.com>", "营销内参 | {topic}", "bcc"),
]
NEWSLETTER_TOPICS = ["短视频广告投放新规解读", "双十一预售观察", "户外媒体价格走势", "品牌出海案例", "AIGC 创意工具盘点",
                     "直播电商复盘", "小红书种草方法论", "年底预算规划指南"]
VENDORS = [
    # (name, address, company)
    ("赵刚", "zhao.gang@hongyun-print.com", "鸿运印务"),
    ("钱蕾", "qianlei@juxing-media.cn", "聚星传媒"),
    ("Mike Sun", "mike.sun@lightframe-studio.com", "光帧影像"),
]
VENDOR_SUBJECTS = ["{company}报价单（{brand}项目）", "{company}：档期确认", "{company} 样片已上传", "{company}十月对账单"]
INTERNAL_SUBJECTS = ["{brand} 的排期帮忙看一下", "明天提案的 PPT 第 12 页", "{brand} 素材放在共享盘了", "请更新客户档案（CRM）"]
