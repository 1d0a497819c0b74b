"""Unit tests of tests/stated_numbers.py: French numbers in digits and in words."""
from __future__ import annotations

import pytest
from stated_numbers import numbers_in, parse_digits, states


@pytest.mark.parametrize("sentence, value", [
    ("près de 15 000 structures", 15000),
    ("il compte déjà 4 500 000 € pour 2300 souscripteurs", 4500000),
    ("il compte déjà 4 500 000 € pour 2300 souscripteurs", 2300),
    ("près de 6 millions d'euros sont dédiés", 6_000_000),
    ("une petite enveloppe (500 millions d'€)", 500_000_000),
    ("un fonds de 1,5 million d'euros", 1_500_000),
    ("plus de 12 % de la population", 12),
    ("environ 10% de l'emploi salarié", 10),
    ("le territoire a perdu 0,93 % d'emplois", 0.93),
    ("La ville de Tarnos (12\u00a0000 habitants)", 12000),
    ("c'est 3700 m² dédiés", 3700),
    ("Cinq rencontres ont été organisées", 5),
    ("Neuf utilisations possibles", 9),
    ("les projets déposés ont presque doublé", 2),
    ("il y a deux tendances", 2),
    ("une trentaine d'initiatives", 30),
    ("une dizaine de salariés y travaille", 10),
    ("une douzaine d'anciens de la Camif", 12),
    ("une quinzaine de projets", 15),
    ("une quarantaine de salariés", 40),
    ("une centaine d'acteurs", 100),
    ("Des centaines de personnes apprennent", 200),
    ("plus du tiers des artisans", 33.33),
    ("la moitié des projets", 50),
    ("les 2/3 des bâtiments ayant été repris", 66.67),
    ("2 habitants sur 3 sont bénéficiaires", 66.67),
    ("représente 30 000 à 100 000 euros par projet", 30000),
    ("représente 30 000 à 100 000 euros par projet", 100000),
    ("réunit régulièrement 25 à 30 acteurs", 25),
    ("et seulement 2 ou 3 en noyau dur", 3),
])
def test_states(sentence, value):
    assert states(sentence, value), (sentence, numbers_in(sentence))


@pytest.mark.parametrize("sentence, value", [
    ("près de 15 000 structures", 15),        # a group of digits is not a number alone
    ("près de 15 000 structures", 0),
    ("plus de 12 % de la population", 1.2),
    ("En 2013, 24 projets", 201324),          # a comma and a space do not group digits
    ("Sur 14 communes, 7 élus ont participé", 147),
    ("des années 80", 8),
    ("un pourcentage du budget", 100),                  # « cent » inside a word is no number
])
def test_does_not_state(sentence, value):
    assert not states(sentence, value), (sentence, numbers_in(sentence))


def test_parse_digits():
    assert parse_digits("15 000") == 15000
    assert parse_digits("4\u202f500\u202f000") == 4500000
    assert parse_digits("0,93") == 0.93
    assert parse_digits("12") == 12


def test_numbers_in_keeps_every_number_in_order_of_kind():
    assert numbers_in("Sur 14 communes, 7 élus ont participé, et seulement 2 ou 3") == [14, 7, 2, 3]
    assert numbers_in("aucun chiffre ici") == []
