"""Regions: which province a free-text region belongs to, for 就地转化 (same-region) matching."""

from __future__ import annotations

from functools import lru_cache

PROVINCES = (
    "北京",
    "天津",
    "上海",
    "重庆",
    "河北",
    "山西",
    "辽宁",
    "吉林",
    "黑龙江",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "海南",
    "四川",
    "贵州",
    "云南",
    "陕西",
    "甘肃",
    "青海",
    "台湾",
    "内蒙古",
    "广西",
    "西藏",
    "宁夏",
    "新疆",
    "香港",
    "澳门",
)

CITIES = {
    "湖北": "武汉 黄石 十堰 宜昌 襄阳 鄂州 荆门 孝感 荆州 黄冈 咸宁 随州 恩施 仙桃 潜江 天门 神农架",
    "广东": "广州 深圳 珠海 佛山 东莞 中山 惠州 汕头",
    "江苏": "南京 苏州 无锡 常州 南通 徐州 扬州",
    "浙江": "杭州 宁波 温州 绍兴 嘉兴 金华",
    "湖南": "长沙 株洲 湘潭 岳阳 常德",
    "河南": "郑州 洛阳 新乡",
    "四川": "成都 绵阳 德阳",
    "陕西": "西安 宝鸡",
    "山东": "济南 青岛 烟台 潍坊",
    "安徽": "合肥 芜湖",
    "江西": "南昌 九江 赣州",
    "福建": "福州 厦门 泉州",
    "云南": "昆明 曲靖 玉溪 红河 大理",
    "辽宁": "沈阳 大连",
    "河北": "石家庄 唐山 保定",
    "广西": "南宁 柳州 桂林",
}

_CITY_TO_PROVINCE = {city: province for province, cities in CITIES.items() for city in cities.split()}


@lru_cache(maxsize=4096)
def province_of(region: str) -> str:
    """The province a region names ('湖北省武汉市', '武汉', '湖北' → '湖北'); '' when unknown.

    >>> province_of("湖北省宜昌市"), province_of("深圳"), province_of("火星")
    ('湖北', '广东', '')
    """
    text = region.strip()
    for province in PROVINCES:
        if text.startswith(province):
            return province
    for city, province in _CITY_TO_PROVINCE.items():
        if city in text:
            return province
    return ""


def region_matches(wanted: str, region: str) -> bool:
    """A filter value selects a record: a province selects all its cities, a city only itself."""
    wanted = wanted.strip().removesuffix("省").removesuffix("市")
    if not wanted:
        return True
    if wanted in PROVINCES:
        return province_of(region) == wanted
    return wanted in region
