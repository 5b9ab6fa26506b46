# The cooperative console (/console).
con-name = Cooperative console
con-nav-label = Console
con-nav-dashboard = Dashboard
con-nav-products = Products
con-nav-orders = Orders
con-nav-cooperatives = Cooperatives
con-sign-in = Sign in to the console
con-sign-in-lead = For cooperative staff and platform admins. Use the email and password of your staff account.
con-sign-in-wrong = The email or password is not right.
con-sign-in-other = Sign in with another account
con-sign-out = Sign out
con-not-staff = This console is for cooperative staff
con-not-staff-body = Your account is not a cooperative's staff or an admin. Ask your cooperative's manager for an invitation.
con-email = Email
con-password = Password
con-required = required
con-choose = Choose…
con-yes = Yes
con-no = No
con-none = none
con-all = All
con-errors-heading = Please correct these:
con-error-required = Please fill this in.
con-error-rupees = Enter an amount in rupees, such as 450 or 450.50.
con-error-whole-number = Enter a whole number.
con-next-page = Next page
con-dashboard = Dashboard
con-pending-cooperatives = Cooperatives waiting for verification
con-review-cooperatives = Review cooperatives
con-to-pack = Orders to pack
con-to-ship = Orders to ship
con-overdue = Institutional payments overdue
con-sales-month = Sales in { $month }
con-invoices = { $count ->
    [one] { $count } invoice
   *[other] { $count } invoices
}
con-low-stock = Low stock
con-low-stock-none = No active product is low on stock.
con-units = { $count ->
    [one] { $count } unit
   *[other] { $count } units
}
con-channel-errors = Channel listings that need attention
con-channel-errors-none = Every channel listing is in order.
con-dead-letters = { $count ->
    [one] { $count } change could not be sent
   *[other] { $count } changes could not be sent
}
con-products = Products
con-product-count = { $count ->
    [one] { $count } product
   *[other] { $count } products
}
con-no-products = No products yet.
con-new-product = New product
con-new-product-in = New product: { $category }
con-pick-category = Choose what kind of product it is. The form then asks for exactly what that kind needs.
con-status = Status
con-status-draft = Draft
con-status-active = Active
con-status-archived = Archived
con-stock = Stock
con-section-basics = The product
con-section-attributes = Details of this kind of product
con-section-declarations = Label declarations
con-section-variant = First pack size and price
con-declarations-lead = What the pack's label must declare (Legal Metrology rules). A draft may leave them out; the product cannot be activated without them.
con-product-title = Name
con-product-description = Description
con-decl-netQuantity = Net quantity
con-decl-netQuantity-hint = As on the label, such as 500 ml or 250 g.
con-decl-manufacturerName = Manufacturer or packer
con-decl-manufacturerName-hint = The name on the label.
con-decl-manufacturerAddress = Manufacturer's address
con-decl-manufacturerAddress-hint = The full address on the label.
con-decl-countryOfOrigin = Country of origin
con-decl-countryOfOrigin-hint = Such as India.
con-decl-consumerCare-address = Consumer care address
con-decl-consumerCare-address-hint = The postal address for complaints, ending with its 6-digit PIN code.
con-decl-consumerCare-phone = Consumer care phone
con-decl-consumerCare-phone-hint = A 10-digit Indian number (with the STD code for a landline), or a toll-free 1800 number.
con-decl-consumerCare-email = Consumer care email
con-decl-consumerCare-email-hint = The email address buyers can complain to.
con-decl-bestBeforeMonths = Best before (months)
con-decl-bestBeforeMonths-hint = Months from packing, for food.
con-variant = Pack
con-variants = Packs and prices
con-variant-sku = Stock code (SKU)
con-variant-sku-hint = Your own short code for this pack, such as SBJ-500.
con-variant-title = Pack name
con-variant-title-hint = Such as 500 ml bottle.
con-variant-price = Price (₹)
con-variant-mrp = MRP (₹)
con-variant-weight = Shipping weight (grams)
con-rupees-hint = In rupees, GST included.
con-saved-as-draft = The product is saved as a draft; activate it once its declarations are complete.
con-create-product = Save draft
con-save = Save
con-save-activate = Save and activate
con-update-price = Update price
con-add-variant = Add a pack
con-no-variants = No packs yet: add one on the product page.
con-saved-created = The product was saved as a draft.
con-saved-saved = Saved.
con-saved-activated = The product is active and on sale.
con-saved-variant = The pack was saved.
con-saved-adjusted = The stock was adjusted.
con-saved-batch = The batch was recorded and its quantity added to stock.
con-stock-and-batches = Stock and batches
con-view-in-store = See it in the shop
con-stock-of = Stock: { $product }
con-back-to = Back to { $name }
con-adjust = Adjust stock
con-adjust-delta = Units to add or remove
con-adjust-delta-hint = Such as 5 to add, or -2 to remove.
con-adjust-reason = Reason
con-adjust-note = Note
con-reason-recount = Recount
con-reason-damaged = Damaged
con-reason-returned = Returned
con-reason-correction = Correction
con-batches = Batches
con-no-batches = No batches yet.
con-new-batch = Record a batch
con-batch-code = Batch code
con-batch-code-hint = Printed on the packs: 4 to 24 capital letters, digits and hyphens.
con-batch-village = Village of origin
con-batch-district = District
con-batch-date = Harvest or production date
con-batch-quantity = Units
con-print-labels = Print labels
con-verify-page = Provenance page
con-labels-of = Labels for batch { $code }
con-labels-lead = Print this page on A4 label paper (your browser's Print). Each QR code opens the batch's provenance page.
con-qr-of = QR code of batch { $code }
con-qr-png = QR code as an image
con-orders = Orders
con-order = Order
con-order-count = { $count ->
    [one] { $count } order
   *[other] { $count } orders
}
con-no-orders = No orders here.
con-all-orders = All orders
con-filter-status = By status
con-order-title = Order { $number }
con-institutional = Institutional
con-po = PO
con-ship-to = Deliver to
con-parcel = Your parcel
con-item = Item
con-qty = Qty
con-total = Total
con-shipping-line = Shipping
con-shipped-with = Shipped with
con-invoice = GST invoice { $number }
con-payment-due = Payment due { $date }
con-pack = Mark packed
con-ship = Mark shipped
con-deliver = Mark delivered
con-cancel = Cancel this parcel
con-carrier = Carrier
con-tracking = Tracking number
con-cancel-reason = Reason for cancelling
con-done-pack = Marked packed.
con-done-ship = Marked shipped; the GST invoice is issued.
con-done-deliver = Marked delivered.
con-done-cancel = Cancelled; the stock is back.
con-fstatus-pending-payment = Awaiting payment
con-fstatus-confirmed = Confirmed (pay later)
con-fstatus-paid = Paid
con-fstatus-packed = Packed
con-fstatus-shipped = Shipped
con-fstatus-delivered = Delivered
con-fstatus-accepted = Accepted
con-fstatus-cancelled = Cancelled
con-fstatus-returned = Returned
con-pay-stripe = Card
con-pay-cash-on-delivery = Cash on delivery
con-pay-bank-transfer = Bank transfer
con-pay-purchase-order = Purchase order
con-pay-channel = Paid on the channel
con-cooperatives = Cooperatives
con-no-cooperatives = No cooperatives here.
con-vstatus-pending = Pending
con-vstatus-verified = Verified
con-vstatus-suspended = Suspended
con-coop-place = Place
con-coop-registration = Registration
con-coop-state = State code
con-coop-pending-change = Change waiting
con-verify-reason = What you checked, or why
con-verify-reason-hint = Recorded in the cooperative's history, such as "GSTIN and FSSAI licence checked on the portals".
con-verify = Verify
con-suspend = Suspend
con-reinstate = Reinstate
con-decided-verified = The cooperative is verified.
con-decided-suspended = The cooperative is suspended.
con-decided-pending = Saved.
con-add-manager = Add a manager
con-manager-name = Manager's name
con-manager-password-hint = At least 10 characters; tell it to the manager in person.
con-decided-manager = The manager's account is ready: they can sign in now.

## Product images, tier prices, GI, channels and bulk import (issue 16, part A)
con-images = Photos
con-images-none = No photos yet. Buyers see the first photo in the shop.
con-image-sizes = Sizes made
con-image-remove = Remove photo
con-image-file = Photo
con-image-file-hint = Take a photo with the phone's camera or choose one: JPEG, PNG or WebP, at most 10 MB.
con-image-alt = What the photo shows
con-image-alt-hint = Read aloud to buyers who cannot see it, such as "Two bottles of sea buckthorn juice on a wooden table".
con-image-add = Add photo
con-image-choose = Choose a photo to add.
con-image-too-large = The photo is larger than 10 MB. Take it again at a smaller size.
con-image-unreadable = The photo did not arrive whole. Try again.
con-saved-image = The photo was added.
con-saved-image-removed = The photo was removed.
con-variant-moq = Smallest order (units)
con-variant-moq-hint = Buyers order at least this many.
con-tiers = Prices for larger orders
con-tiers-lead = From a number of units on, each unit costs less. Leave a row empty to remove it.
con-tier-n = Price break { $n }
con-tier-from = From (units)
con-tier-price = Price per unit
con-tier-summary = From { $n } units:
con-nav-gi = GI
con-gi-title = Geographical Indications
con-gi-lead = A product may carry a GI only while your cooperative is a verified authorised user of it. Record each registration here; an admin checks it against the GI register.
con-gi-authorisations = Your authorised-user registrations
con-gi-none = None recorded yet.
con-gi = Geographical Indication
con-au-number = Authorised-user number
con-au-number-hint = As the GI registry's certificate gives it, such as AU/RKA/123.
con-au-valid-from = Valid from
con-au-valid-until = Valid until
con-au-valid-until-hint = Not later than the GI's own registration ends.
con-au-status-pending = Waiting for verification
con-au-status-verified = Verified
con-au-status-revoked = Revoked
con-gi-apply = Record a registration
con-saved-au = Recorded. It counts once an admin has verified it.
con-gi-valid-now = Valid today
con-gi-not-valid-now = Not valid today
con-gi-pending = Claims count only after an admin verifies this registration.
con-gi-revoked = This registration was revoked: claims on it do not count.
con-gi-not-yet = Valid only from { $date }.
con-gi-lapsed = Lapsed on { $date }. Renew it with the GI registry and record the new one.
con-gi-ends-in = { $count ->
    [0] Ends today.
    [one] Ends tomorrow.
   *[other] Ends in { $count } days.
}
con-gi-tag-registration = The GI's registration:
con-gi-tag-not-in-force = The GI's registration is not in force.
con-error-date = Enter a date, such as 2026-12-31.
con-gi-claims = GI claims
con-gi-claims-none = This product claims no GI.
con-gi-withdraw = Withdraw claim
con-gi-claim = Claim the GI
con-gi-claim-choose = GI to claim
con-gi-claim-hint = Every batch of the product must come from inside the GI's area and be made while the registration was valid.
con-gi-claim-none = No registration of yours is valid today for a GI this product does not claim yet.
con-gi-claimed-already = The product claims this GI already.
con-saved-gi = The GI is claimed.
con-saved-gi-withdrawn = The GI claim was withdrawn.
con-section-procurement = For government buyers (GeM)
con-local-content = Local content (%)
con-local-content-hint = The share of the product's value made in India (Make in India), 0 to 100.
con-lead-time = Delivery time (days)
con-lead-time-hint = Days from order to delivery, 1 to 180.
con-channels = Sales channels
con-channel-ncui_haat = NCUI Haat
con-channel-gem = GeM
con-listing-not_listed = Not listed
con-listing-pending = Sent, waiting for the channel
con-listing-waiting = { $count ->
    [one] One change waits to be sent.
   *[other] { $count } changes wait to be sent.
}
con-listing-listed = Listed
con-listing-rejected = Refused
con-listing-out_of_sync = Listed, change not yet confirmed
con-listing-delisted = Taken off
con-listing-reasons = The channel's reasons:
con-listing-last-error = Last failure
con-listing-dead = { $count ->
    [one] One change could not be sent.
   *[other] { $count } changes could not be sent.
}
con-list-on = List on { $channel }
con-delist = Take off { $channel }
con-listing-retry = Try again
con-saved-listed = Sent to the channel.
con-saved-delisted = Taken off the channel.
con-saved-retried = Sent to the channel again.
con-import = Import products from a sheet
con-import-link = Import from a sheet
con-import-lead = Add or update many products at once from a CSV or Excel (XLSX) sheet. It is checked first; nothing is stored until you import a sheet without problems, and then every row or none.
con-import-template = Download the template (CSV)
con-import-check-heading = Check a sheet
con-import-file = Sheet
con-import-file-hint = CSV or XLSX, with the template's columns, at most 10 MB.
con-import-mode = Products already here
con-import-create-only = Refuse them: every product is new
con-import-upsert = Update them (by product slug and SKU)
con-import-check = Check the sheet
con-import-choose = Choose a sheet to check.
con-import-too-large = The sheet is larger than 10 MB. Split it into smaller sheets.
con-import-report = What the check found
con-import-clean = No problems found. Import it to store every row.
con-import-problems = { $count ->
    [one] One problem: fix it in the sheet and check it again.
   *[other] { $count } problems: fix them in the sheet and check it again.
}
con-import-problems-caption = Problems by row and column (the header is row 1)
con-import-row = Row
con-import-column = Column
con-import-problem = Problem
con-import-fix = Nothing was stored.
con-import-apply = Import now
con-import-applied = The sheet was imported.
con-import-products = { $count ->
    [one] One new product
   *[other] { $count } new products
}
con-import-variants = { $count ->
    [one] One new pack
   *[other] { $count } new packs
}
con-import-updated = { $count ->
    [one] One product or pack updated
   *[other] { $count } products and packs updated
}
con-import-another = Import another sheet

## Orders and money (dates, order and refund statuses, refunds, institutional orders,
## settlement, staff invitations, admin lists)
con-month-1 = Jan
con-month-2 = Feb
con-month-3 = Mar
con-month-4 = Apr
con-month-5 = May
con-month-6 = Jun
con-month-7 = Jul
con-month-8 = Aug
con-month-9 = Sep
con-month-10 = Oct
con-month-11 = Nov
con-month-12 = Dec
con-order-status = Order
con-ostatus-pending-payment = Awaiting payment
con-ostatus-confirmed = Confirmed (pay later)
con-ostatus-paid = Paid
con-ostatus-cancelled = Cancelled
con-ostatus-partially-refunded = Partly refunded
con-ostatus-refunded = Refunded
con-rstatus-pending = Refund sent, outcome awaited
con-rstatus-succeeded = Refunded
con-rstatus-failed = Refund failed
con-refund = Refund
con-refunds = Refunds
con-refund-amount = Amount (₹)
con-refund-amount-hint = Leave blank to refund everything not yet refunded: { $amount }.
con-refund-reason = Why the money goes back
con-refunded = Refunded { $amount }
con-done-refund = The refund is recorded.
con-consignees = Consignees
con-consignee-state = State code { $code }
con-gem-contract = GeM contract
con-payment-terms = Payment terms: { $days } days from acceptance
con-acceptance = Acceptance
con-prc = Provisional receipt (PRC) { $date }
con-crac = Accepted (CRAC) { $date }
con-acceptance-waiting = Not yet accepted by the consignee.
con-accepted-units = Accepted
con-rejected-units = Rejected
con-ordered-units = Ordered
con-nav-money = Money
con-money = Settlement statement
con-money-lead = What the marketplace collected for your cooperative, refunded, kept as TCS, and owes you, for the dates you choose.
con-st-from = From
con-st-to = To
con-st-show = Show
con-st-csv = Download as CSV
con-st-invoices = Invoices
con-st-gross = Gross sales (tax included)
con-st-taxable = Taxable value
con-st-gst = GST
con-st-collected = Collected by the marketplace
con-st-refunds = Refunds paid
con-st-tcs = TCS kept
con-st-tcs-cgst = of it CGST
con-st-tcs-sgst = of it SGST or UTGST
con-st-tcs-igst = of it IGST
con-st-net = Net payable to the cooperative
con-error-period = The period must run forwards and span at most a year.
con-nav-staff = Staff
con-staff = Staff
con-role-manager = Manager
con-role-staff = Staff
con-invite = Invite a member of staff
con-invite-lead = They get an email with a link to choose a password; the invitation lasts 7 days.
con-invite-name = Their name
con-invite-role = Role
con-invite-send = Send the invitation
con-invited = Invitation sent to { $email }.
con-invitation = Join your cooperative's staff
con-invitation-lead = Choose a password to accept the invitation; you sign in with it and your email address from now on.
con-invitation-signed-in = You are signed in: accept the invitation and this account joins the cooperative's staff.
con-invitation-password = Choose a password
con-invitation-password-hint = At least 10 characters.
con-invitation-accept = Accept the invitation
con-nav-registers = Registers
con-reg-nav = Registers
con-reg-categories = Categories
con-reg-category = Category
con-reg-gst-rate = GST rate
con-reg-food = Food
con-reg-districts = Districts
con-reg-district-name = District's name
con-reg-district-add = Add a district
con-reg-done-district = The district is added.
con-reg-buyers = Institutional buyers
con-reg-org-name = Organisation's name
con-reg-org-kind = Kind
con-reg-org-kind-hint = Such as CENTRAL_GOVERNMENT_DEPARTMENT, PSU or COOPERATIVE.
con-reg-org-gem = GeM buyer id (optional)
con-reg-org-add = Add an organisation
con-reg-done-organisation = The organisation is added.
con-reg-no-users = No users yet.
con-reg-user-name = User's name
con-reg-user-add = Add a user
con-reg-done-user = The user's account is ready: they can sign in now.
con-reg-gi = GI authorised users
con-reg-gi-none = No registrations.
con-reg-au-number = Registration
con-reg-revoke = Revoke
con-reg-done-verified = The registration is verified.
con-reg-done-revoked = The registration is revoked.
con-au-pending = Waiting
con-au-verified = Verified
con-au-revoked = Revoked

# Settlement statement: Razorpay Route (r18c)
con-st-route-transferred = Transferred to the cooperative through Razorpay Route
con-st-route-commission = Commission the marketplace kept on them
con-st-route-on-hold = Transfers on hold until delivery
con-st-route-released = Transfers released on delivery
con-st-route-reversed = Transfers reversed for refunds
con-st-route-owed = Still owed to the cooperative outside Route
