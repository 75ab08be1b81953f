"""shopadmin: the domain package shared by every function (models, dal, logic, api)."""
