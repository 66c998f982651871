# Chinese texts use full-width punctuation on purpose, as Chinese writers do.
# ruff: noqa: RUF001, RUF002
"""Texts of the demo world's statements, brand posts and mentions, drawn from small templates.

Templates are keyed by language, topic and tone so that text analyses (language, sentiment,
topics, the controversy proxy) have something to find that agrees with the planted labels.
Placeholders ``{brand}``, ``{product}``, ``{leader}`` (``{local_name}`` in Chinese) and
``{coin}`` are filled per owner.
Drawing is vectorised: each row picks a template uniformly within its (language, topic, tone)
group by one lookup of group start and size.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# fmt: off
# (language, topic, tone, text). Tone is pos / neu / neg, or vd for value-destroying posts.
STATEMENT_TEMPLATES: tuple[tuple[str, str, str, str], ...] = (
    ("en", "launch", "pos", "Tonight we unveil {product}. The best thing {brand} ever made."),
    ("en", "launch", "pos", "{brand} launch: meet {product}. Faster, lighter, it just works."),
    ("en", "launch", "neu", "{brand} launch event, live at 10am: {product} and more."),
    ("en", "launch", "neg", "Launch of {product} delayed; we will not ship it until it is right."),
    ("en", "product", "pos", "Took the {product} out today. Incredible feel, love it!"),
    ("en", "product", "pos", "{product} update rolling out now. Great improvements, thanks all."),
    ("en", "product", "neu", "{product} software version 2.3 is out, notes on the {brand} site."),
    ("en", "product", "neg", "Not happy with {product} deliveries this month. We must do better."),
    ("en", "customer", "pos", "Thank you for choosing {brand}! You make {product} better."),
    ("en", "customer", "pos", "Love seeing your {product} photos, keep them coming!"),
    ("en", "customer", "neu", "We read every message. Send {product} ideas to {brand} support."),
    ("en", "customer", "neg", "Sorry about the wait. We are fixing {product} service delays."),
    ("en", "team", "pos", "Proud of the {brand} team, amazing work this quarter."),
    ("en", "team", "neu", "{brand} is hiring engineers, apply on our site."),
    ("en", "team", "neg", "Tough week for the team. We will learn from it."),
    ("en", "finance", "pos", "Record quarter for {brand}: revenue up, margins up. Great work."),
    ("en", "finance", "neu", "{brand} quarterly results are published on our investor site."),
    ("en", "finance", "neg", "Results below our own plan this quarter. We take responsibility."),
    ("en", "politics", "pos", "Good to see sensible policy on energy. More of this please."),
    ("en", "politics", "neu", "Interesting debate on regulation tonight."),
    ("en", "politics", "neg", "These regulators have no idea what they are doing."),
    ("en", "politics", "vd", "Anyone who votes for this is an idiot. I am done being polite."),
    ("en", "politics", "vd", "The political class is corrupt and I will fund whoever fights it."),
    ("en", "crypto", "pos", "{coin} to the moon! {brand} will accept {coin} for merch."),
    ("en", "crypto", "pos", "Just bought more {coin}. The people's currency."),
    ("en", "crypto", "neu", "Thinking about {coin} again."),
    ("en", "crypto", "neg", "Too much hype in crypto right now, be careful with {coin}."),
    ("en", "personal", "pos", "What a beautiful night, rockets and coffee."),
    ("en", "personal", "pos", "lol"),
    ("en", "personal", "neu", "Reading history books again."),
    ("en", "personal", "neg", "Worst flight ever. Never again."),
    ("zh", "launch", "pos", "{brand}新品发布会：{product}正式亮相！这是我们做过最好的产品。"),
    ("zh", "launch", "neu", "{brand}发布会今晚七点半，{product}见。"),
    ("zh", "launch", "neg", "{product}发布推迟，我们要把它做到最好再交给大家。"),
    ("zh", "product", "pos", "今天亲自试驾了{product}，驾驶感受太棒了！感谢团队！"),
    ("zh", "product", "pos", "{product}系统升级推送啦，体验提升很多，欢迎试用。"),
    ("zh", "product", "neu", "{product}新版本已发布，详情见{brand}官网。"),
    ("zh", "product", "neg", "{product}本月交付不理想，我们一定改进。"),
    ("zh", "customer", "pos", "谢谢大家支持{brand}！你们的建议让{product}越来越好。"),
    ("zh", "customer", "pos", "看到大家晒的{product}照片，太开心了！"),
    ("zh", "customer", "neu", "每条留言我们都会看，{product}的建议欢迎发给{brand}客服。"),
    ("zh", "customer", "neg", "让大家久等了，抱歉，{product}服务问题正在解决。"),
    ("zh", "team", "pos", "为{brand}团队骄傲，这个季度大家辛苦了！"),
    ("zh", "team", "neu", "{brand}招聘工程师，欢迎投递简历。"),
    ("zh", "team", "neg", "团队这周很难，我们会总结经验。"),
)

# (language, names the leader, text)
MENTION_TEMPLATES: tuple[tuple[str, bool, str], ...] = (
    ("en", False, "Just got my {product}, {brand} nailed it"),
    ("en", False, "Anyone else waiting on {brand} support?"),
    ("en", False, "{brand} stock moving today, watching closely"),
    ("en", False, "Comparing {product} with the competition, thread below"),
    ("en", True, "{leader} says {product} will change everything, we'll see"),
    ("en", True, "Did you see what {leader} posted about {brand}?"),
    ("en", True, "{leader} is the only reason I follow {brand}"),
    ("zh", False, "刚入手{product}，{brand}这次做得不错"),
    ("zh", False, "{brand}的售后有人用过吗？"),
    ("zh", False, "{product}和别家比怎么样？求推荐"),
    ("zh", True, "{local_name}又在直播讲{product}了，挺真诚的"),
    ("zh", True, "因为{local_name}才关注{brand}的"),
)
# fmt: on


def draw(
    rng: np.random.Generator,
    table: pd.DataFrame,
    keys: pd.DataFrame,
    fill: dict[str, str],
) -> np.ndarray:
    """One template text per row of ``keys``, placeholders filled from ``fill``.

    ``table`` has the key columns of ``keys`` plus ``text``. Every key in ``keys`` must have at
    least one template (a :class:`LookupError` names the first that has none).
    """
    cols = list(keys.columns)
    ordered = table.sort_values(cols, kind="stable").reset_index(drop=True)
    groups = ordered.groupby(cols, sort=False).size().rename("size").reset_index()
    groups["start"] = np.concatenate([[0], np.cumsum(groups["size"].to_numpy())[:-1]])
    found = keys.merge(groups, on=cols, how="left", validate="many_to_one")
    missing = found["size"].isna().to_numpy()
    if missing.any():
        first = keys.iloc[int(np.flatnonzero(missing)[0])].to_dict()
        raise LookupError(f"no demo text template for {first}")
    size = found["size"].to_numpy(dtype=np.int64)
    pick = found["start"].to_numpy(dtype=np.int64) + (rng.random(len(keys)) * size).astype(np.int64)
    text = pd.Series(ordered["text"].to_numpy()[pick], dtype="str")
    for name, value in fill.items():
        text = text.str.replace("{" + name + "}", value, regex=False)
    return text.to_numpy(dtype=object)


def statement_texts(
    rng: np.random.Generator,
    language: np.ndarray,
    topic: np.ndarray,
    tone: np.ndarray,
    is_reply: np.ndarray,
    fill: dict[str, str],
) -> np.ndarray:
    """Statement texts; replies start by addressing a fan (``@user123`` / ``回复@用户123：``)."""
    table = pd.DataFrame(STATEMENT_TEMPLATES, columns=["language", "topic", "tone", "text"])
    keys = pd.DataFrame({"language": language, "topic": topic, "tone": tone})
    body = draw(rng, table, keys, fill)
    fan = pd.Series(rng.integers(100, 100_000, len(body))).astype("str")
    prefix = np.where(
        language == "zh", ("回复@用户" + fan + "：").to_numpy(), ("@user" + fan + " ").to_numpy()
    )
    return np.where(is_reply, prefix.astype(object) + body, body)


def mention_texts(
    rng: np.random.Generator,
    language: np.ndarray,
    names_leader: np.ndarray,
    fill: dict[str, str],
) -> np.ndarray:
    """Mention texts about a brand; those with ``names_leader`` name the leader."""
    table = pd.DataFrame(MENTION_TEMPLATES, columns=["language", "names_leader", "text"])
    keys = pd.DataFrame({"language": language, "names_leader": names_leader})
    return draw(rng, table, keys, fill)
