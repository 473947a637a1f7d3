# Norwegian forms: "12. mai 2023", "kl. 12.00" (Språkrådet: full stop between hours and minutes).
DATE_FORMAT = "j. F Y"
TIME_FORMAT = "H.i"
DATETIME_FORMAT = "j. F Y \\k\\l. H.i"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H.i"
MONTH_DAY_FORMAT = "j. F"
YEAR_MONTH_FORMAT = "F Y"
FIRST_DAY_OF_WEEK = 1
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"
NUMBER_GROUPING = 3
