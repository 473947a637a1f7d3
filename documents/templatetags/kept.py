"""`{% kept key %}…{% endkept %}`: a part of a template rendered once per key and kept in the
process (documents/fragments.py), for the parts of busy pages that are the same for many readers.

The key is made by the view from everything the part shows and everything that differs between
its readers (documents/fragments.py says how); an empty key (a reader whose part is not shared,
or the fragment cache turned off) renders the part every time. The part must not show anything
of the request beyond what the key holds: no CSRF token, no user, no path."""

from django import template
from django.utils.safestring import mark_safe

from .. import fragments

register = template.Library()


class KeptNode(template.Node):
    def __init__(self, key, nodelist):
        self.key, self.nodelist = key, nodelist

    def render(self, context):
        key = self.key.resolve(context)
        if not key:
            return self.nodelist.render(context)
        found = fragments.get(key)
        if found is None:
            found = self.nodelist.render(context)
            fragments.put(key, found)
        return mark_safe(found)


@register.tag
def kept(parser, token):
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("{% kept key %} takes one argument: the key")
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    return KeptNode(parser.compile_filter(bits[1]), nodelist)
