"""Pages of a long list whose last page costs about what its first does."""

from django.core.paginator import Paginator


class NarrowPaginator(Paginator):
    """A Paginator over an ordered queryset that finds a page's rows by their keys first.

    With LIMIT/OFFSET the database sorts and carries every row before the page, all of its
    columns and joins, to throw them away: the last of 108 pages of cases took twice as long as
    the first (issue #12). Here the page's primary keys come from a narrow subquery (the sort
    keys and the primary key alone) and only those rows are read in full, in the same query:

        ... WHERE <filters> AND id IN (SELECT id ... WHERE <filters> ORDER BY ... LIMIT n OFFSET m)
        ORDER BY ...

    The page holds the same rows in the same order as Paginator's (tests/portal/test_case_list.py).
    """

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = self.object_list.values("pk")[bottom:top]
        return self._get_page(self.object_list.filter(pk__in=keys), number, self)
