

def test_a_refusal_with_nothing_defined_says_so_instead_of_an_empty_list():
    from shouwen.core.names import Vocabulary
    said = Vocabulary("窗口", {}, "rules/institution.yml").refusal("4号窗口", "--window")
    assert said.endswith("。规则中还没有任何窗口") and "可选：" not in said, said
