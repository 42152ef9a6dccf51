-- rejected rows by input and reason (for the nightly report)
-- key: (input, reason); order: input, rejects descending, reason (one reject per row, column and reason)
with

rejects as (
    select input, file, row, reason
    from rejects
),

final as (
    select input, reason, count(*) as rejects
    from rejects
    group by input, reason
)

select input, reason, rejects
from final
order by input, rejects desc, reason
