"""leaderlens's hand-written Chinese sentiment lexicon (words, negators, degree words).

Written for short Weibo-style posts and reviews about products, launches, cars and phones.
Weights are 1 (mild) to 3 (strong). Entries that already contain a negation (``不错``,
``不好``, ``没问题``) are words of their own: the scorer matches the longest entry first, so
``不错`` is never read as ``不`` + ``错``. Nothing here is learned from labelled data.
"""

from __future__ import annotations


def _words(spec: str, weight: float) -> dict[str, float]:
    return {word: weight for word in spec.split()}


POSITIVE: dict[str, float] = {
    **_words(
        """好 棒 赞 爱 美 优 强 稳 顺 快 香 值 酷 帅 甜 暖 乐 笑 佳 妙 靓 牛""",
        1.0,
    ),
    **_words(
        """不错 挺好 很好 好用 好看 好吃 好玩 好评 满意 喜欢 推荐 值得 实惠 划算 便宜 方便
        舒服 舒适 漂亮 精致 流畅 顺滑 清晰 稳定 耐用 结实 省心 省电 安静 干净 整洁 新鲜
        正品 给力 靠谱 厉害 优秀 出色 优秀 精彩 惊艳 惊喜 期待 支持 感谢 谢谢 感动 开心 高兴
        快乐 幸福 愉快 温暖 可爱 美好 成功 顺利 热情 周到 耐心 贴心 细心 专业 及时 迅速 快速
        实用 好感 点赞 加油 祝贺 恭喜 骄傲 自豪 牛逼 厉害了 牛 强大 领先 创新 突破 进步 提升
        升级 超值 物美价廉 性价比高 没问题 没毛病 无可挑剔 放心 信赖 信任 值得信赖 好喝 入手
        回购 还会再来 下次还 五星 满分 完美 超赞 很赞 好极了 真棒 太棒 一流 顶级 高端 大气
        上档次 质感 好开 好驾驶 续航长 续航好 充电快 拍照好 拍照清晰 手感好 颜值高 性能强 丝滑
        爽 过瘾 痛快 带劲 稳当 平稳 宽敞 舒心 暖心 用心 良心 神器 好物 惊喜不断 遥遥领先
        火爆 大卖 热销 抢购 售罄 秒光 刷屏 圈粉 口碑 好口碑 认可 肯定 赞叹 佩服 感恩 祝福
        希望 梦想 美丽 优雅 温柔 健康 安全 可靠 轻薄 轻便 小巧 好评如潮 物超所值 物有所值
        很值 超快 很快 不卡 流畅度 期盼 欢迎 欣喜 欣慰 满足 享受 喜爱
        哈哈 嘻嘻 么么哒 太好了 好开心 好幸福 赞赞 威武 霸气 给赞 划得来 正宗
        早安 晚安 哇 太逗 好逗 笑死 萌 好萌 抱抱 么么 爱你 谢啦 多谢 嘿嘿 棒棒 好耶 美味 好美
        美美 开森 幸运 生日快乐 有趣 有意思 好听 好帅 好可爱 拍手 鼓掌 祝 享受 惬意 真好 温馨 浪漫
        甜蜜 好赞 好厉害 哈哈哈 开心死 乐呵 欢乐 欢喜 激动 兴奋 好期待 终于买到""",
        1.5,
    ),
    **_words(
        """非常满意 非常好 特别好 超级好 很满意 十分满意 强烈推荐 力荐 五星好评 非常喜欢
        特别喜欢 太喜欢 爱死 完美无缺 震撼 惊艳 无敌 神作 封神 超出预期 超预期 物超所值""",
        2.5,
    ),
}

NEGATIVE: dict[str, float] = {
    **_words("""差 烂 坏 慢 贵 丑 脏 臭 吵 难 累 烦 气 恨 怕 哭 惨 痛 病 死 假 骗 坑 渣 弱""", 1.0),
    **_words(
        """不好 不行 不值 不满 不满意 不舒服 不方便 不推荐 不喜欢 不清楚 不稳定 不灵敏 不开心
        不爽 不靠谱 不专业 不负责 不合理 不值得 不怎么样 不太好 不咋地 没用 没意思 没法 没有用
        失望 后悔 垃圾 糟糕 很差 太差 较差 差劲 差评 难用 难看 难吃 难受 麻烦 郁闷 无语 生气
        愤怒 讨厌 恶心 伤心 难过 痛苦 悲伤 可惜 遗憾 担心 害怕 焦虑 崩溃 吐槽 抱怨 投诉 退货
        退款 换货 维修 返修 故障 问题 毛病 缺陷 瑕疵 漏洞 卡顿 卡死 死机 闪退 黑屏 白屏 重启
        发热 发烫 烫手 耗电 掉电 断电 断网 信号差 掉帧 延迟 漏水 异响 异味 噪音 刺鼻 起火 自燃
        爆炸 事故 召回 刹车失灵 失灵 失控 碰撞 撞车 破损 损坏 坏了 碎了 裂了 划痕 掉漆 生锈
        变形 褪色 掉色 起球 开线 缩水 过期 变质 发霉 山寨 假货 盗版 欺骗 骗人 忽悠 虚假 坑人
        坑爹 黑心 无良 奸商 宰客 敷衍 怠慢 拖延 推诿 傲慢 冷漠 态度差 服务差 质量差 做工差
        性价比低 贵了 太贵 偏贵 不便宜 浪费 白买 上当 受骗 被坑 差强人意 一般般 凑合 勉强
        慢吞吞 太慢 很慢 等了半天 排队 缺货 延期 跳票 翻车 割韭菜 智商税 收割 暴跌 下跌
        跌停 亏损 亏了 套牢 破发 裁员 倒闭 暴雷 爆雷 维权 丑闻 争议 质疑 翻车 抵制 谣言 造谣
        嘲讽 嘲笑 吐血 晕 呵呵 唉 哎 可恶 该死 倒霉 悲剧 坑货 辣鸡 拉胯 拉跨 鸡肋 续航差 续航短
        充电慢 信号不好 烂尾 失败 失误 错误 出错 打不开 用不了 连不上 充不进 开不了机
        噩梦 辛苦 苦 苦逼 身亡 饿 累死 困 怨 可怜 心疼 哭了 呜呜 悲 痛心 无奈 无聊 烦死 悲催
        杯具 感冒 发烧 疼 头疼 失眠 寂寞 孤单 孤独 想哭 心累 搞错 过分 恐怖 吓死 着急 死了 舍不得
        堵车 加班 熬夜 受伤 去世 遇难 不幸 可怕 糟心 心塞 闹心 憋屈 委屈 吐槽 坑爹 无耻 骂""",
        1.5,
    ),
    **_words(
        """非常差 特别差 极差 太烂 超级差 非常失望 很失望 太失望 再也不 再也不会 千万别
        千万不要 别买 不要买 强烈不推荐 坑死 气死 恶心死 垃圾中的垃圾 后悔死""",
        2.5,
    ),
}

# Negators flip the polarity of the next sentiment word within the same clause.
NEGATORS: tuple[str, ...] = ("不", "没", "没有", "无", "非", "未", "别", "不是", "不太", "不够")
# Degree words scale the next sentiment word.
DEGREE: dict[str, float] = {
    **_words("极 极其 极度 超 超级 太 最 特别 非常 十分 相当 格外 尤其 真 真的 实在", 1.6),
    **_words("很 挺 蛮 较 比较 更 更加 越来越", 1.3),
    **_words("有点 有些 稍 稍微 略 一点 些许", 0.6),
}
# Contrast words: what follows them weighs more than what came before (``A 但是 B``).
CONTRAST: tuple[str, ...] = ("但是", "但", "可是", "不过", "然而", "只是")
# Weibo emoticon tags: when present they are strong signals (leaderlens strips none of them;
# the accuracy tests strip them because on one labelled set they produced the labels).
EMOTICONS: dict[str, float] = {
    **_words(
        "[哈哈] [嘻嘻] [爱你] [心] [赞] [good] [鼓掌] [太开心] [偷笑] [耶] [威武] [给力]", 2.0
    ),
    **_words("[泪] [怒] [抓狂] [衰] [伤心] [生病] [鄙视] [晕] [弱] [吐] [哼] [失望] [悲伤]", -2.0),
}
