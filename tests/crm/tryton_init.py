"""Fills a freshly activated Tryton template database with what the CRM harness needs: the
USD and EUR currencies, the company "Northwind CRM Inc.", the admin user placed in it, and the
CRM integration user `ecosystem` (Sales + Sale Opportunity groups, an employee of the company).

Runs with the Tryton virtualenv's python (proteus is installed there, never in the product
venv); tests/crm/tryton.py calls it once per template build:

    .local/tryton/venv/bin/python tests/crm/tryton_init.py CONFIG DATABASE LOGIN PASSWORD COMPANY
"""

from __future__ import annotations

import sys
from decimal import Decimal

from proteus import Model, config

CURRENCIES = [
    {"code": "USD", "name": "U.S. Dollar", "symbol": "$", "numeric_code": "840"},
    {"code": "EUR", "name": "Euro", "symbol": "€", "numeric_code": "978"},
]


def _group(module: str, fs_id: str):  # type: ignore[no-untyped-def]
    return Model.get("res.group")(Model.get("ir.model.data").get_id(module, fs_id, {}))


def main(config_file: str, database: str, login: str, password: str, company_name: str) -> None:
    config.set_trytond(database=database, config_file=config_file)
    Currency = Model.get("currency.currency")
    Party = Model.get("party.party")
    Company = Model.get("company.company")
    Employee = Model.get("company.employee")
    User = Model.get("res.user")

    currencies = {}
    for values in CURRENCIES:
        found = Currency.find([("code", "=", values["code"])])
        currency = found[0] if found else Currency(**values)
        currency.rounding = Decimal("0.01")
        currency.digits = 2
        currency.save()
        currencies[values["code"]] = currency

    companies = Company.find([("party.name", "=", company_name)])
    if companies:
        company = companies[0]
    else:
        party = Party(name=company_name)
        party.save()
        company = Company(party=party, currency=currencies["USD"])
        company.save()

    admin = User.find([("login", "=", "admin")])[0]
    if company not in admin.companies:
        admin.companies.append(company)
    admin.company = company
    admin.save()

    users = User.find([("login", "=", login)])
    user = users[0] if users else User(login=login)
    user.name = "Ecosystem Cloud sync"
    user.password = password
    for group in (
        _group("sale_opportunity", "group_opportunity"),
        _group("sale", "group_sale"),
    ):
        if group not in user.groups:
            user.groups.append(group)
    if company not in user.companies:
        user.companies.append(company)
    user.company = company
    user.save()

    employees = Employee.find([("party.name", "=", user.name), ("company", "=", company.id)])
    if employees:
        employee = employees[0]
    else:
        party = Party(name=user.name)
        party.save()
        employee = Employee(party=party, company=company)
        employee.save()
    if employee not in user.employees:
        user.employees.append(employee)
    user.employee = employee
    user.save()
    print(f"company={company.id} user={user.id} employee={employee.id}")


if __name__ == "__main__":
    main(*sys.argv[1:6])
